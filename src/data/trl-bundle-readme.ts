/** README.md of a `treecot export-trl` bundle. */
import { TRL_VERSION_SPEC } from './trl-fields.ts';
import type { TrlBundleOptions } from './trl-bundle.ts';

export function renderBundleReadme(input: { options: TrlBundleOptions; source: string; sftRows: number; dpoPairs: number }): string {
  const { options } = input;
  const prefix = options.masking === 'prefix-in-prompt';
  return `# treecot TRL bundle

Built by \`treecot export-trl ${input.source} --base ${options.base}\` from ${input.sftRows} SFT rows and
${input.dpoPairs} DPO pairs (tree-shaped CoT data, METHOD.md sections 2-4).

## Run

\`\`\`bash
pip install -r requirements.txt     # ${TRL_VERSION_SPEC}
./launch.sh                         # all local GPUs; NUM_GPUS=4 ./launch.sh, ACCELERATE_CONFIG=ds.yaml for DeepSpeed
\`\`\`

\`launch.sh\` checks the TRL version, then runs${input.sftRows > 0 ? ' `sft.yaml` (SFT on the longest correct paths) and' : ''}
\`dpo.yaml\` (cDPO + SFT on the pairs) with \`accelerate launch\` over TRL's own \`trl/scripts/{sft,dpo}.py\`;
\`trl sft --config sft.yaml\` / \`trl dpo --config dpo.yaml\` run the same configs on one machine.
${prefix ? 'Before DPO it runs `prepare_data.py`, which writes `data/dpo_prefix_in_prompt/train.jsonl` with the model\'s chat template.\n' : ''}
## Objective mapping (METHOD.md sections 3-4)

| paper | TRL \`DPOConfig\` | value |
|---|---|---|
| beta | \`beta\` | ${options.beta} |
| cDPO label smoothing eps | \`label_smoothing\` | ${options.eps} |
| L = L_cDPO + alpha * L_SFT | \`loss_type: [sigmoid, sft]\`, \`loss_weights: [1, alpha]\` | alpha = ${options.alpha} |
| prefix masking | ${prefix ? 'shared prefix moved into the prompt' : 'off (`--masking none`)'} | ${prefix ? `boundary: ${options.prefixBoundary}` : '-'} |

The DPO stage starts from the SFT output (\`output/sft\`), which TRL also copies as the reference model.
\`max_prompt_length\` is set to \`max_length\`: TRL's default of 512 would cut long prompts (instruction + question +
moved prefix) from the left without a warning.

## Why TRL is pinned to \`${TRL_VERSION_SPEC}\`

- TRL 0.20 is the first release whose \`DPOConfig\` accepts \`loss_type\` as a list with \`"sft"\` and \`loss_weights\`,
  which is how the joint objective is written without custom code.
- TRL 0.29.0 ("Refactor DPO") makes the \`sigmoid\` loss ignore \`label_smoothing\` without any warning (it only
  feeds the \`robust\` and \`exo_pair\` losses there), so on 0.29+ this bundle would train plain DPO instead of cDPO.
  \`launch.sh\` refuses to run outside the pinned range. Every key in \`sft.yaml\` / \`dpo.yaml\` was checked against
  the fields of \`ScriptArguments\`, \`ModelConfig\`, \`SFTConfig\`/\`DPOConfig\` and \`TrainingArguments\` in that range.

## What prefix-in-prompt masking does

The chosen and rejected responses of a pair come from one tree, so they share a prefix (the path down to where
they branch). The paper masks those prefix tokens in both sequences. TRL never scores prompt tokens, so
\`prepare_data.py\` moves the shared prefix from both responses to the end of the prompt
(\`chat_template(user) + prefix\`, chosen/rejected = the diverging suffixes).

- **Preference (sigmoid / cDPO) term: unchanged.** The prefix tokens have the same context and the same text in
  chosen and rejected, so their log-ratio terms cancel exactly in the margin h; moving them changes nothing but
  compute.
- **SFT term: changed.** TRL's \`"sft"\` loss is the mean NLL over the *chosen completion* tokens. With the prefix
  in the prompt, the SFT term covers only the chosen suffix (and the mean is over fewer tokens), so the shared
  path before the branch point is no longer trained by the SFT term. With \`--masking none\` the SFT term covers
  the whole chosen response. The SFT stage (\`sft.yaml\`) always trains on whole responses.
- The conversational TRL format cannot express this: a prompt ending in an assistant message is rendered with
  \`continue_final_message\`, but chosen/rejected are rendered as a second assistant message, which inserts an
  end-of-turn token after the prefix. Hence the plain format with the chat template applied here.
- The prefix is cut at a shared thought boundary (\`boundary: thought\`), so the prompt ends right after a closing
  tag and separator and the split does not cut a word in two; tokenizing prompt and completion separately can
  still differ from joint tokenization at that one boundary.
`;
}
