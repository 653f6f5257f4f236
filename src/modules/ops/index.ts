// The ops module's face.
export { OpsModule } from './ops.module';
