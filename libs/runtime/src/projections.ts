import { REBUILDABLE_PROJECTIONS, RebuildProgress, RebuildReport, RebuildableProjection, rebuildProjection, rebuildableProjection } from '@arbiter/memory';
import { silentLogger } from '@arbiter/telemetry';
import { ArbiterConfig, ConfigError } from './config';
import { Platform } from './platform';

/** The projections `arbiter projections rebuild` knows, or the one named. */
export function projectionsToRebuild(name?: string): RebuildableProjection[] {
  if (!name) return REBUILDABLE_PROJECTIONS;
  const found = rebuildableProjection(name);
  if (!found) throw new ConfigError(`there is no projection "${name}"; choose one of ${REBUILDABLE_PROJECTIONS.map((p) => p.name).join(', ')}`);
  return [found];
}

/** Rebuilds projections one after the other on the configured store and read models. */
export async function rebuildProjections(
  config: ArbiterConfig,
  projections: RebuildableProjection[],
  onProgress?: (projection: string, progress: RebuildProgress) => void,
): Promise<RebuildReport[]> {
  const platform = await Platform.open(config, silentLogger);
  try {
    const reports: RebuildReport[] = [];
    for (const projection of projections) {
      reports.push(await rebuildProjection(platform.store, platform.readModels, projection, { onProgress: (p) => onProgress?.(projection.name, p) }));
    }
    return reports;
  } finally {
    await platform.close();
  }
}
