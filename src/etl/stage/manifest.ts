// The run's manifest, in the format Redshift's COPY … MANIFEST reads: exactly the parts of this run,
// each mandatory, so a leftover or missing file can never be loaded silently. The PostgreSQL loader
// follows the same file.
export type ManifestEntry = { url: string; mandatory: true; meta: { content_length: number } };
export type Manifest = { entries: ManifestEntry[] };

export type StagedPart = { key: string; url: string; rows: number; bytes: number };

export const MANIFEST_NAME = 'manifest.json';

export function buildManifest(parts: StagedPart[]): Manifest {
  return { entries: parts.map((part) => ({ url: part.url, mandatory: true, meta: { content_length: part.bytes } })) };
}

export function parseManifest(text: string): Manifest {
  const manifest = JSON.parse(text) as Manifest;
  if (!Array.isArray(manifest?.entries) || manifest.entries.some((entry) => typeof entry?.url !== 'string')) {
    throw new Error('the staged manifest is not a list of entries with a url');
  }
  return manifest;
}
