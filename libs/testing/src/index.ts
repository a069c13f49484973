export * from './environment';
export * from './http';
export * from './infrastructure';
export * from './services';
export * from './kafka';
export * from './facts';
export * from './generator';
export * from './process';
