export * from './counties';
export * from '../../../common/identifiers/personnel-categories';
export * from './departments';
export * from './kinds';
export * from './demo';
export * from './insured';
