# A script that starts its own W&B sweep and agent, imports a framework integration, and never
# calls finish (W&B finishes at exit).
import wandb
from wandb.integration.keras import WandbMetricsLogger


def train():
    wandb.init()
    WandbMetricsLogger(log_freq=5)
    wandb.log({"score": wandb.config.x * 2})
    wandb.run.summary.update({"final": 3})


sweep_id = wandb.sweep({"method": "grid", "parameters": {"x": {"values": [1, 2]}}}, project="p")
print("sweep", sweep_id)
wandb.agent(sweep_id, function=train, count=3)
