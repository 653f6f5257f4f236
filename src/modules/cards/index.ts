// The cards module's face: what other modules, the app and the worker may use.
export { CardsModule, CardsWorkerModule } from './cards.module';
export { CardExpiryReminders, type ExpiryRunResult } from './holder-services/card-expiry.jobs';
export { CounterCalendar, CounterCalendarModule } from './lifecycle/counter-calendar';
