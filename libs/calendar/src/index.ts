/**
 * @tthc/calendar — pure working-time arithmetic for docs/counting-rules.md §2 (no I/O, no dependencies).
 * See docs/calendar.md.
 */
export * from './time';
export * from './policy';
export * from './default-table';
export * from './working-calendar';
