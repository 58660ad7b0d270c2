/**
 * `treecot export-hf` / `treecot import-hf`: a treecot GGUF as a Hugging Face `LlamaForCausalLM`
 * checkpoint (safetensors, tokenizer.json, chat template) and back (docs/train.md "Hugging Face").
 *
 *   treecot export-hf models/builtin.gguf --out hf/builtin
 *   python -c "from transformers import AutoModelForCausalLM as M; M.from_pretrained('hf/builtin')"
 *   treecot import-hf trl/output/dpo --out models/dpo.gguf
 *   treecot eval --gguf models/dpo.gguf --task letter-count
 */
import type { Command } from 'commander';
import { writeJsonLine } from '../json-output.ts';

export function register(program: Command): void {
  program
    .command('export-hf <model>')
    .description('write a treecot GGUF as a transformers LlamaForCausalLM checkpoint (config.json, model.safetensors, tokenizer files)')
    .requiredOption('--out <dir>', 'checkpoint folder (written through a staging folder)')
    .option('--json', 'print the written files as one JSON object')
    .action(async (model: string, options: { out: string; json?: boolean }) => {
      const { exportHf } = await import('../../train/hf/index.ts');
      const files = exportHf(model, options.out);
      if (options.json) writeJsonLine({ out: options.out, files });
      else
        process.stdout.write(
          `treecot export-hf: ${model} -> ${options.out} (${files.length} files; load with AutoModelForCausalLM.from_pretrained)\n`,
        );
    });
  program
    .command('import-hf <dir>')
    .description("convert a LlamaForCausalLM checkpoint with treecot's tokenizer (e.g. trained by TRL from export-hf) back to GGUF")
    .requiredOption('--out <file>', 'GGUF file to write')
    .option('--name <name>', 'GGUF general.name', 'treecot-llama')
    .option('--json', 'print the result as one JSON object')
    .action(async (dir: string, options: { out: string; name: string; json?: boolean }) => {
      const { importHf } = await import('../../train/hf/index.ts');
      const model = importHf(dir, options.out, options.name);
      if (options.json) writeJsonLine({ out: options.out, config: model.config });
      else
        process.stdout.write(
          `treecot import-hf: ${dir} -> ${options.out} (${model.config.layers} layers, d ${model.config.dim}, ${model.params.length} parameters)\n`,
        );
    });
}
