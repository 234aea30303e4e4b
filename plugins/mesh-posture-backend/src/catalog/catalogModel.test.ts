import {
  compileCatalogModel,
  defaultCatalogEntityModel,
} from '@backstage/catalog-model/alpha';
import { meshPostureCatalogModelLayer } from './catalogModel';

describe('the catalog model layer', () => {
  it("declares the suite's own annotations beside the default model, and no one else's", () => {
    const model = compileCatalogModel([
      defaultCatalogEntityModel,
      meshPostureCatalogModelLayer,
    ]);
    const ours = model
      .getMetadata()
      .annotations.filter(a => a.name.startsWith('mesh-posture.io/'))
      .map(a => a.name)
      .sort();
    expect(ours).toEqual([
      'mesh-posture.io/checklists',
      'mesh-posture.io/slo-latency-p99-ms',
      'mesh-posture.io/slo-success-rate',
      'mesh-posture.io/workload',
    ]);
    const withoutUs = compileCatalogModel([defaultCatalogEntityModel])
      .getMetadata()
      .annotations.map(a => a.name);
    expect(
      model
        .getMetadata()
        .annotations.map(a => a.name)
        .filter(n => !withoutUs.includes(n)),
    ).toEqual(expect.arrayContaining(ours));
    expect(
      model
        .getMetadata()
        .annotations.filter(
          a => !withoutUs.includes(a.name) && !ours.includes(a.name),
        ),
    ).toEqual([]);
  });
});
