/**
 * The settings that decide an evaluation's numbers, their hash, and the resume check. `eval --out DIR`
 * appends finished questions to DIR/questions.partial.jsonl and resumes from it; a re-run with another
 * model, template, instruction, sample count or sampling setting would silently mix old and new
 * samples, so DIR/settings.json stores the settings and a resume with different ones is refused (as
 * `treecot search` refuses a changed config).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalHash, ConfigError, writeFileAtomic } from '../core/index.ts';
import type { Policy } from '../policy/types.ts';

/** The fields of a policy's description that change its outputs (not endpoints, keys or concurrency). */
const POLICY_IDENTITY = ['provider', 'model', 'mode', 'template', 'templateSource', 'templateKwargs', 'extraBody', 'system'] as const;

/** What a policy is, for provenance and the settings hash. */
export function policyIdentity(policy: Policy): Record<string, unknown> {
  const described = (policy as Policy & { describe?: () => Record<string, unknown> }).describe?.() ?? {};
  const identity: Record<string, unknown> = { provider: policy.provider, model: policy.modelId };
  for (const key of POLICY_IDENTITY) if (described[key] !== undefined) identity[key] = described[key];
  return identity;
}

export interface EvalSettings {
  task: string;
  data: string;
  policy: Record<string, unknown>;
  instruction: string;
  samples_per_question: number;
  temperature: number;
  top_p: number;
  max_tokens: number;
  stop: string[];
  seed: number;
  /**
   * The reflection tag counted among reflection markers, when not `reflection` (absent otherwise, so
   * evaluations made before it was a setting still resume): a resumed evaluation never mixes counts.
   */
  reflection_tag?: string;
}

/** Names of the settings that differ, for the refusal message. */
function differences(a: EvalSettings, b: EvalSettings): string[] {
  // Both sides' keys: an optional setting may be on one side only.
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])] as (keyof EvalSettings)[];
  return keys.filter((key) => canonicalHash(a[key] ?? null) !== canonicalHash(b[key] ?? null));
}

/**
 * Before an evaluation writes to `outDir`: with no partial file, store the settings (a fresh start);
 * with one, require the stored settings to match.
 * @returns the settings hash (sha256 of the canonical JSON).
 * @throws ConfigError naming settings.json and the differing fields, or the missing settings file.
 */
export function checkEvalSettings(outDir: string, settings: EvalSettings): string {
  const hash = canonicalHash(settings);
  const file = join(outDir, 'settings.json');
  const partial = join(outDir, 'questions.partial.jsonl');
  if (!existsSync(partial)) {
    writeFileAtomic(file, JSON.stringify({ settings_hash: hash, settings }, null, 2) + '\n');
    return hash;
  }
  if (!existsSync(file)) {
    throw new ConfigError(
      { file: partial },
      `a partial evaluation without settings.json (made by an older treecot?): it cannot be checked against this run's settings; use another --out, or delete ${partial} to start over`,
    );
  }
  let stored: { settings_hash?: string; settings?: EvalSettings };
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
  } catch (error) {
    throw new ConfigError({ file }, `not valid JSON: ${(error as Error).message}`);
  }
  if (stored.settings_hash !== hash) {
    const changed = stored.settings ? differences(stored.settings, settings) : ['(all)'];
    const detail = changed
      .map(
        (key) =>
          `${key}: ${JSON.stringify(stored.settings?.[key as keyof EvalSettings])} stored, ${JSON.stringify(settings[key as keyof EvalSettings])} now`,
      )
      .join('; ');
    throw new ConfigError(
      { file, field: changed.join(', ') },
      `the partial evaluation in ${outDir} was made with other settings (${detail}); resuming would mix their samples. Re-run with the stored settings, use another --out, or delete ${partial} to start over`,
    );
  }
  return hash;
}
