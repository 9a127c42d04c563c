import torch
from torch import nn

from models.zoo import create_model
from models.zoo.flops import count_complexity, count_params, model_complexity

# The paper sister at 200×200, by hand: conv1 3·9·32 + 32 = 896; conv2 32·9·64 + 64 = 18,496;
# fc (64·98·98)·2 + 2 = 1,229,314 (valid convolutions: 200 → 198 → 196, pooled to 98).
PAPER_PARAMS = 896 + 18_496 + 1_229_314  # = 1,248,706: the paper's "1.2 millions"
PAPER_MACS = 198 * 198 * 32 * 27 + 196 * 196 * 64 * 288 + 64 * 98 * 98 * 2  # 743,185,280


class Tiny(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, stride=2, padding=1)  # 8×8 → 4×4
        self.dw = nn.Conv2d(4, 4, 3, padding=1, groups=4)
        self.fc = nn.Linear(4 * 4 * 4, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(self.dw(self.conv(x)), 1))


def test_counts_a_tiny_net_by_hand() -> None:
    c = count_complexity(Tiny(), input_size=(8, 8))
    assert c.per_layer == {"conv": 4 * 4 * 4 * 3 * 9, "dw": 4 * 4 * 4 * 1 * 9, "fc": 5 * 64}
    assert c.macs == 1728 + 576 + 320
    assert c.params == (4 * 27 + 4) + (4 * 9 + 4) + (64 * 5 + 5) == count_params(Tiny())


def test_paper_sister_size_matches_the_paper() -> None:
    for name in ("siamese-paper", "classifier-paper"):
        c = model_complexity(name)
        assert c.params == PAPER_PARAMS == 1_248_706
        assert c.macs == PAPER_MACS


def test_siamese_fast_is_ten_times_cheaper() -> None:
    fast, paper = model_complexity("siamese-fast"), model_complexity("siamese-paper")
    assert fast.macs * 10 <= paper.macs
    assert fast.macs == 36_284_704 and fast.params == 163_376


def test_deep_baselines_match_the_papers_sizes() -> None:
    assert model_complexity("vgg16").params == 15_242_050  # paper: 15.2 M
    assert model_complexity("resnet50").params == 23_512_130  # paper: 23 M


def test_counting_restores_the_training_mode() -> None:
    model = create_model("siamese-fast", input_size=(32, 32)).train()
    count_complexity(model, (32, 32))
    assert model.training
