"""Which of the given config keys the installed TRL/transformers classes accept.

usage: python trl_fields_check.py KEYS.json RESULT.json
KEYS: {"sft": [str], "dpo": [str]}; RESULT: {"versions": {...}, "unknown": {"sft": [str], "dpo": [str]}}
"""
import dataclasses
import json
import sys

import transformers
import trl
from trl import DPOConfig, ModelConfig, ScriptArguments, SFTConfig


def fields(*classes):
    return {f.name for c in classes for f in dataclasses.fields(c)}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        keys = json.load(f)
    accepted = {"sft": fields(ScriptArguments, ModelConfig, SFTConfig), "dpo": fields(ScriptArguments, ModelConfig, DPOConfig)}
    out = {
        "versions": {"trl": trl.__version__, "transformers": transformers.__version__},
        "unknown": {command: sorted(set(names) - accepted[command]) for command, names in keys.items()},
    }
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
