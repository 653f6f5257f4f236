export * from './counties';
export * from './personnel-categories';
export * from './departments';
export * from './kinds';
export * from './demo';
