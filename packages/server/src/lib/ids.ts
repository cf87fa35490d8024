import { v7 } from 'uuid';

/**
 * A UUIDv7: unique, random in its low 74 bits, and ordered by creation time. Rows written on
 * every send (codes, email logs, refresh tokens) are keyed by it so that their primary-key
 * index grows at its end instead of on a random page: with random keys SQLite's cost per send
 * rose by half as the tables grew from 10^3 to 10^6 rows (docs/benchmarks.md, growth).
 */
export const timeOrderedId = (): string => v7();
