import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ConsoleApp } from './App.js';
import { HostedApp } from './hosted/HostedApp.js';
import { hostedPage } from './hosted/route.js';
import './styles.css';

// One bundle serves the console (/console/…) and the hosted end-user pages (/sign-in, …).
const root = createRoot(document.getElementById('root')!);
const page = hostedPage(window.location.pathname);
root.render(<StrictMode>{page ? <HostedApp initial={page} /> : <ConsoleApp />}</StrictMode>);
