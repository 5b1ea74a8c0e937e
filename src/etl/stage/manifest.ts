// The run's manifest, in the format Redshift's COPY … MANIFEST reads: exactly the parts of this run,
// each mandatory, so a leftover or missing file can never be loaded silently. (The PostgreSQL loader
// copies the same parts as each is written, before the manifest exists.)
export type ManifestEntry = { url: string; mandatory: true; meta: { content_length: number } };
export type Manifest = { entries: ManifestEntry[] };

export type StagedPart = { key: string; url: string; rows: number; bytes: number };

export const MANIFEST_NAME = 'manifest.json';

export function buildManifest(parts: StagedPart[]): Manifest {
  return { entries: parts.map((part) => ({ url: part.url, mandatory: true, meta: { content_length: part.bytes } })) };
}
