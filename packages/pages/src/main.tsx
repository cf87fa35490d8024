import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { HostedApp } from './HostedApp.js';
import { hostedPage } from './route.js';
import { startPreview } from './preview.js';
// The pages share the console's base stylesheet (type, form fields, buttons, alerts); hosted.css adds their layout.
import '../../console/src/styles.css';

// The server answers this bundle only at the hosted page paths; anything else is the server's 404.
const root = createRoot(document.getElementById('root')!);
const page = hostedPage(window.location.pathname);
if (page?.preview) startPreview();
root.render(<StrictMode>{page ? <HostedApp initial={page} /> : <p>No such page.</p>}</StrictMode>);
