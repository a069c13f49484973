export * from './body';
export * from './bootstrap';
export * from './message-transport';
export * from './openapi';
export * from './problem';
export * from './unread-body';
