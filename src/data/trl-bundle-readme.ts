/** README.md of a `treecot export-trl` bundle. */
import { TRL_TESTED_REQUIREMENTS, TRL_VERSION_SPEC } from './trl-fields.ts';
import { cdpoLossTerms } from './trl-bundle.ts';
import type { TrlBundleOptions } from './trl-bundle.ts';

export function renderBundleReadme(input: { options: TrlBundleOptions; source: string; sftRows: number; dpoPairs: number }): string {
  const { options } = input;
  const prefix = options.masking === 'prefix-in-prompt';
  const terms = cdpoLossTerms(options.eps, options.alpha);
  return `# treecot TRL bundle

Built by \`treecot export-trl ${input.source} --base ${options.base}\` from ${input.sftRows} SFT rows and
${input.dpoPairs} DPO pairs (tree-shaped CoT data, METHOD.md sections 2-4).

## Run

\`\`\`bash
pip install -r requirements.txt     # ${TRL_TESTED_REQUIREMENTS.slice(0, 2).join(', ')} (launch.sh accepts ${TRL_VERSION_SPEC})
./launch.sh                         # all local GPUs; NUM_GPUS=4 ./launch.sh, ACCELERATE_CONFIG=ds.yaml for DeepSpeed
TRL_EXTRA_ARGS="--bf16 false --use_cpu true --max_steps 3" ./launch.sh   # a CPU smoke run; TRL_SFT_ARGS / TRL_DPO_ARGS: one stage
\`\`\`

\`launch.sh\` checks the TRL version, then runs${input.sftRows > 0 ? ' `sft.yaml` (SFT on the longest correct paths) and' : ''}
\`dpo.yaml\` (cDPO + SFT on the pairs) with \`accelerate launch\` over TRL's own \`trl/scripts/{sft,dpo}.py\`;
\`trl sft --config sft.yaml\` / \`trl dpo --config dpo.yaml\` run the same configs on one machine.
${prefix ? "Before DPO it runs `prepare_data.py`, which writes `data/dpo_prefix_in_prompt/train.jsonl` with the model's chat template.\n" : ''}
## Objective mapping (METHOD.md sections 3-4)

| paper | TRL \`DPOConfig\` | value |
|---|---|---|
| beta | \`beta\` | ${options.beta} |
| cDPO label smoothing eps | \`label_smoothing\` (read by the \`robust\` term) | ${options.eps} |
| L = L_cDPO + alpha * L_SFT | \`loss_type: [${terms.loss_type.join(', ')}]\`, \`loss_weights: [${terms.loss_weights.join(', ')}]\` | alpha = ${options.alpha} |
| prefix masking | ${prefix ? 'shared prefix moved into the prompt' : 'off (`--masking none`)'} | ${prefix ? `boundary: ${options.prefixBoundary}` : '-'} |
| logging | \`report_to\` (both configs; \`--report-to\`) | ${options.reportTo} |

The DPO stage starts from the SFT output (\`output/sft\`), which TRL also copies as the reference model.

## cDPO in TRL ${TRL_VERSION_SPEC}

TRL 0.29.0 ("Refactor DPO") made the \`sigmoid\` loss ignore \`label_smoothing\` without a warning; it only feeds
the \`robust\` and \`exo_pair\` losses since. cDPO is still exactly expressible with TRL's own terms. With
h = beta * (log-ratio of chosen - log-ratio of rejected), A = -log sigma(h) (\`sigmoid\`) and B = -log sigma(-h):

    cDPO(eps)            = (1 - eps) A + eps B
    robust(eps)          = ((1 - eps) A - eps B) / (1 - 2 eps)
    => cDPO(eps)         = 2 (1 - eps) * sigmoid - (1 - 2 eps) * robust(eps)

hence \`loss_type: [sigmoid, robust, sft]\` with \`loss_weights: [2(1-eps), -(1-2eps), alpha]\` and
\`label_smoothing: eps\` (eps = 0 writes plain \`sigmoid\`). No custom trainer is needed, and \`trl dpo --config
dpo.yaml\` runs it. treecot's \`npm run test:interop\` trains this bundle with ${TRL_TESTED_REQUIREMENTS.slice(0, 2).join(' and ')}
on CPU and checks every step's loss and rewards against treecot's own cDPO trainer.

**TRL 0.20-0.28:** there the \`sigmoid\` term itself applies \`label_smoothing\`, so the weights above would
smooth twice; \`launch.sh\` refuses those versions. To use one, edit \`dpo.yaml\` to
\`loss_type: [sigmoid, sft]\`, \`loss_weights: [1, alpha]\`, keep \`label_smoothing: eps\`, add
\`max_prompt_length\` = \`max_length\` (their default 512 cuts long prompts from the left), rename
\`warmup_steps: 0.1\` to \`warmup_ratio: 0.1\` for transformers 4, and drop the version check from \`launch.sh\`.

Every key in \`sft.yaml\` / \`dpo.yaml\` is a field of \`ScriptArguments\`, \`ModelConfig\`, \`SFTConfig\`/\`DPOConfig\`
or \`TrainingArguments\` (checked against the installed classes by the interop tests).

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
