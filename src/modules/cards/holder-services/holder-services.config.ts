import { APP_CONFIG, type AppConfig } from '../../../config/app-config';

/** The card services' settings: part of AppConfig, validated at boot, documented in .env.example. */
export type CardServicesConfig = AppConfig['cardServices'];

export const CARD_SERVICES_CONFIG = Symbol('CARD_SERVICES_CONFIG');

export const cardServicesConfigProvider = {
  provide: CARD_SERVICES_CONFIG,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): CardServicesConfig => config.cardServices,
};
