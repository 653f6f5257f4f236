/** Injection tokens of what every process shares (provided by CoreModule). */
export const REDIS = Symbol('REDIS');
export const LOGGER = Symbol('LOGGER');
