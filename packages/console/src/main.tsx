import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ConsoleApp } from './App.js';
import './styles.css';

// The console, at /console/…; the hosted end-user pages are a bundle of their own (packages/pages).
const root = createRoot(document.getElementById('root')!);
root.render(
  <StrictMode>
    <ConsoleApp />
  </StrictMode>,
);
