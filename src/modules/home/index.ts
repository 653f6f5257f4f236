// The home module's face.
export { HomeModule } from './home.module';
