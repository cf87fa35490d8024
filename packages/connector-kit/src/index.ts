export * from './types.js';
export * from './errors.js';
export * from './schema.js';
export * from './sender.js';
export { z } from 'zod';
export * from './text.js';
export * from './events.js';
