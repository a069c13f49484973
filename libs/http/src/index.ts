export * from './body';
export * from './bootstrap';
export * from './problem';
export * from './unread-body';
