import { createValidator, DEFAULT_FAMILY_MAPPING } from '../../../src/modules/certificates/validation';
import { NOW, simplePki } from '../../support/pki/builder';

it('smoke', async () => {
  const { root, intermediate, leaf } = await simplePki();
  const v = createValidator({ anchors: [root.pem], intermediates: [intermediate.pem], familyMapping: DEFAULT_FAMILY_MAPPING, revocation: 'off' });
  const r = await v.validate(leaf.pem, { at: NOW, purpose: 'client-auth' });
  console.log(JSON.stringify(r, null, 1));
  const r2 = await v.validate(leaf.pem, { at: NOW, purpose: 'client-auth' });
  console.log(r2.valid, (r2 as any).chainCache, v.stats());
});
