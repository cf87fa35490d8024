import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ConsoleApp } from './App.js';
import { HostedPlaceholder, hostedPage } from './hosted/Placeholder.js';
import './styles.css';

// One bundle serves the console (/console/…) and the hosted end-user pages (/sign-in, …).
const root = createRoot(document.getElementById('root')!);
const page = hostedPage(window.location.pathname);
root.render(<StrictMode>{page ? <HostedPlaceholder page={page} /> : <ConsoleApp />}</StrictMode>);
