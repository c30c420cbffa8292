# Written against the real wandb API, in the style of W&B's quickstart (docs.wandb.ai/quickstart),
# with calls hpo does not map (watch, Table, logging a table). Values are exact binary fractions so
# the test can name the lines it expects.
import wandb

run = wandb.init(
    project="my-awesome-project",
    config={"learning_rate": 0.02, "architecture": "CNN", "dataset": "CIFAR-100", "epochs": 10},
)
wandb.watch(object(), log="all")
table = wandb.Table(columns=["epoch", "acc"])

epochs = wandb.config.epochs
lr = wandb.config["learning_rate"]
print(f"lr={lr} epochs={epochs} arch={wandb.config.architecture}")
best = 0.0
for epoch in range(2, epochs):
    acc = 1 - 2**-epoch - lr
    loss = 2**-epoch + lr
    wandb.log({"acc": acc, "loss": loss})
    table.add_data(epoch, acc)
    wandb.watch(object())
    best = max(best, acc)

run.summary["best_acc"] = best
wandb.log({"predictions": table})
wandb.finish()
