"""The char-RNN examples, ready to train: the "hello" network with stated starting weights, and texts.

"hello" (vocabulary h, e, l, o; three hidden units) starts from small round weights so that its first forward
pass can be worked by hand (tests/engine/test_rnn.py does it): h₁ hears 'h', h₂ hears 'e' and h₁, h₃ hears 'l'
and itself; 'e' is scored by h₁, 'l' by h₂ and h₃, 'o' by h₃.
"""

from __future__ import annotations

from .chartext import CharText, load_text
from .optimizers import make_optimizer
from .rnn import RNN
from .rnn_trainer import RNNTrainer

#              h    e    l    o        (columns: the input character)
HELLO_W_XH = [[0.5, 0.0, 0.0, 0.0],   # h₁
              [0.0, 0.5, 0.0, 0.0],   # h₂
              [0.0, 0.0, 0.5, 0.0]]   # h₃
HELLO_W_HH = [[0.0, 0.0, 0.0],        # into h₁ from h₁, h₂, h₃
              [0.5, 0.0, 0.0],        # into h₂
              [0.0, 0.5, 0.5]]        # into h₃
HELLO_W_HY = [[0.0, 0.0, 0.0],        # score of 'h' from h₁, h₂, h₃
              [1.0, 0.0, 0.0],        # 'e'
              [0.0, 1.0, 1.0],        # 'l'
              [0.0, 0.0, 1.0]]        # 'o'


def hello_rnn() -> RNN:
    rnn = RNN(vocab_size=4, hidden_size=3)
    rnn.W_xh[...] = HELLO_W_XH
    rnn.W_hh[...] = HELLO_W_HH
    rnn.W_hy[...] = HELLO_W_HY
    rnn.b_h[...] = 0.0
    rnn.b_y[...] = 0.0
    return rnn


def rnn_trainer(source: str = "hello", text: str | None = None, hidden_size: int | None = None, window: int = 25,
                clip: float | None = 5.0, optimizer: str = "adam", lr: float | None = None, seed: int = 0
                ) -> RNNTrainer:
    """A trainer for one of the texts. "hello" uses the stated weights (hidden_size 3, one window of 4 steps)
    unless another hidden size is asked for, then random ones as for any text (default 32 hidden units)."""
    chars: CharText = load_text(source, text)
    if source == "hello" and hidden_size in (None, 3):
        model = hello_rnn()
    else:
        model = RNN(chars.vocab_size, hidden_size or 32, seed=seed)
    default_lr = {"sgd": 0.5, "momentum": 0.1, "nesterov": 0.1, "inertia": 0.5}.get(optimizer, 0.01)
    opt = make_optimizer(optimizer, lr=default_lr if lr is None else lr)
    return RNNTrainer(model, opt, chars, window=window, clip=clip, seed=seed)
