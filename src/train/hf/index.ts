/** Hugging Face checkpoints: export a treecot GGUF as `LlamaForCausalLM` safetensors and import it back. */
export { exportHf, renderHfCheckpoint } from './export-hf.ts';
export { importHf, loadHfCheckpoint, configFromHf } from './import-hf.ts';
export { encodeSafetensors, readSafetensors, type NamedTensor } from './safetensors.ts';
export { hfTensorName, permuteRopeRows, hfConfig } from './llama-names.ts';
export { tokenizerJson, tokenizerConfigFiles, checkTokenizerJson, TREECOT_CHAT_TEMPLATE } from './hf-tokenizer.ts';
