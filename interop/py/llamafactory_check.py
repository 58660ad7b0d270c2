"""Load a `treecot build` folder's LLaMA-Factory export with LLaMA-Factory's own data path.

usage: python llamafactory_check.py LLAMA_FACTORY_DIR HF_MODEL_DIR RESULT.json

For each entry of LLAMA_FACTORY_DIR/dataset_info.json (`treecot_sft` with stage sft,
`treecot_dpo` with stage dpo) and each template, it runs what `llamafactory-cli train` runs before
training (llamafactory/train/{sft,dpo}/workflow.py): `get_train_args` on the YAML keys,
`load_tokenizer`, `get_template_and_fix_tokenizer`, `get_dataset`. It reports
- `aligned`: the rows after LLaMA-Factory's sharegpt converter (`_prompt`, `_response`), from
  `llamafactory.data.loader._get_merged_dataset`, the function `get_dataset` calls (the converted
  rows are not returned by `get_dataset` itself, only their token ids);
- `tokenized`: the token ids and labels `get_dataset` returns (what the trainer is fed).

Templates: "empty" (registered in LLaMA-Factory; no BOS, no EOS, prompt and response
concatenated, the only registered template that adds no text around treecot's prompt) and
"treecot", registered here with `register_template` as LLaMA-Factory documents for a new format:
BOS + prompt + response + EOS, i.e. treecot's own training sequence.
`template: null` (parse the tokenizer's chat template) is tried and its error reported: LLaMA-Factory
renders a system message to parse a template, and treecot's chat template rejects one.
"""
import json
import os
import shutil
import sys
import tempfile

import datasets
import llamafactory
import torch
import transformers
import trl
from llamafactory.data import get_dataset, get_template_and_fix_tokenizer
from llamafactory.data.formatter import EmptyFormatter, StringFormatter
from llamafactory.data.loader import _get_merged_dataset
from llamafactory.data.template import register_template
from llamafactory.extras.constants import IGNORE_INDEX
from llamafactory.hparams import get_train_args
from llamafactory.model import load_tokenizer

register_template(
    name="treecot",
    format_prefix=EmptyFormatter(slots=[{"bos_token"}]),
    format_user=StringFormatter(slots=["{{content}}"]),
    format_assistant=StringFormatter(slots=["{{content}}", {"eos_token"}]),
)

# dataset_info.json entry -> the stage whose workflow loads it (DPO loads pairs as stage "rm").
ENTRIES = {"treecot_sft": "sft", "treecot_dpo": "dpo"}


def train_args(dataset_dir, model_dir, dataset, stage, template, work):
    """The keys of a LLaMA-Factory training YAML (examples/train_full/*.yaml), CPU and no training."""
    args = {
        "model_name_or_path": model_dir,
        "stage": stage,
        "do_train": True,
        "finetuning_type": "full",
        "dataset": dataset,
        "dataset_dir": dataset_dir,
        "cutoff_len": 2048,
        "overwrite_cache": True,
        "output_dir": os.path.join(work, f"out-{dataset}-{template}"),
        "cache_dir": os.path.join(work, "cache"),
        "per_device_train_batch_size": 1,
        "report_to": "none",
        "use_cpu": True,
    }
    if template is not None:
        args["template"] = template
    return args


def plain(value):
    """Arrow rows back to JSON-able Python (lists of message dicts, token id lists)."""
    return json.loads(json.dumps(value))


def load(dataset_dir, model_dir, dataset, stage, template, work):
    model_args, data_args, training_args, _, _ = get_train_args(train_args(dataset_dir, model_dir, dataset, stage, template, work))
    tokenizer_module = load_tokenizer(model_args)
    tokenizer = tokenizer_module["tokenizer"]
    fixed = get_template_and_fix_tokenizer(tokenizer, data_args)
    loader_stage = "rm" if stage == "dpo" else stage
    aligned = _get_merged_dataset(data_args.dataset, model_args, data_args, training_args, loader_stage)
    module = get_dataset(fixed, model_args, data_args, training_args, stage=loader_stage, **tokenizer_module)
    train = module["train_dataset"]
    token_columns = [c for c in train.column_names if c.endswith(("input_ids", "labels"))]
    return {
        "aligned": [{"prompt": plain(r["_prompt"]), "response": plain(r["_response"]), "system": r["_system"]} for r in aligned],
        "tokenized": [{c: plain(r[c]) for c in token_columns} for r in train],
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
    }


def main():
    dataset_dir, model_dir, result_file = sys.argv[1:4]
    # LLaMA-Factory's output_dir and a fresh `datasets` cache (no stale Arrow cache from an earlier build).
    work = tempfile.mkdtemp(prefix="treecot-llamafactory-")
    try:
        check(dataset_dir, model_dir, result_file, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check(dataset_dir, model_dir, result_file, work):
    out = {
        "versions": {
            "llamafactory": llamafactory.__version__,
            "transformers": transformers.__version__,
            "datasets": datasets.__version__,
            "trl": trl.__version__,
            "torch": torch.__version__,
        },
        "ignore_index": IGNORE_INDEX,
        "runs": {},
    }
    for dataset, stage in ENTRIES.items():
        for template in ("empty", "treecot"):
            out["runs"][f"{dataset}/{template}"] = load(dataset_dir, model_dir, dataset, stage, template, work)
    try:
        load(dataset_dir, model_dir, "treecot_sft", "sft", None, work)
        out["chat_template_error"] = None
    except Exception as error:  # noqa: BLE001 - the error text is the result
        out["chat_template_error"] = f"{type(error).__name__}: {error}"
    with open(result_file, "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
