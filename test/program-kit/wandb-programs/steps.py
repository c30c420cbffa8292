# W&B's step rules, an argparse config, a locked sweep key, the run as a context manager.
import argparse
import json

import wandb

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.5)
parser.add_argument("--layers", type=int, default=2)
args, _ = parser.parse_known_args()

with wandb.init(config=args) as run:
    wandb.config.lr = 99  # set by the sweep: ignored, with a warning
    wandb.config.update({"extra": 1})
    print(json.dumps(wandb.config.as_dict(), sort_keys=True))
    wandb.log({"a": 1}, step=5)
    wandb.log({"b": 2}, step=5)
    wandb.log({"c": 3}, step=7)  # step 5 (a, b) is written now
    wandb.log({"d": 4}, step=6)  # before the current step: ignored, as in W&B
    wandb.log({"e": 5}, commit=False)  # joins step 7
    wandb.log({"f": {"g": 6}})  # joins step 7 and writes it
    wandb.log({"h": float("nan"), "i": 7})  # step 8; h is not a finite number
