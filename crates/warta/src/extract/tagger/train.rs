//! Training: an averaged perceptron over the tagger's hashed features, learning from texts
//! with gold labels, quantised to a [`Model`] at the end.

use super::features::{push_label_features, static_features, History, Scratch, Statics, H};
use super::model::{next_model_id, Model, Row};
use super::{best_allowed, View, NL, O};

/// Training texts as the trainer needs them: the static features of every candidate token
/// (computed once, when a text is added) and the gold label of every token.
pub struct TrainingSet {
    statics: Vec<Statics>,
    gold: Vec<Vec<u8>>,
    clusters: bool,
    scratch: Scratch,
}

impl TrainingSet {
    /// An empty set; `clusters` says whether word-cluster features are used.
    pub fn new(clusters: bool) -> TrainingSet {
        TrainingSet {
            statics: Vec::new(),
            gold: Vec::new(),
            clusters,
            scratch: Scratch::default(),
        }
    }

    /// Adds a text and the gold label of each of its tokens.
    pub fn add(&mut self, view: &View, gold: &[u8]) {
        assert_eq!(view.toks.len(), gold.len(), "one gold label per token");
        let mut statics = Statics::default();
        static_features(view, self.clusters, &mut self.scratch, &mut statics, |_| true);
        statics.hashes.shrink_to_fit();
        statics.items.shrink_to_fit();
        self.statics.push(statics);
        self.gold.push(gold.to_vec());
    }

    /// The number of texts.
    pub fn len(&self) -> usize {
        self.gold.len()
    }

    /// Whether there is no training sentence.
    pub fn is_empty(&self) -> bool {
        self.gold.is_empty()
    }

    /// Gold names on tokens the tagger never tags (lower-case words, numbers), which it cannot
    /// learn: (such tokens, all gold name tokens).
    pub fn unreachable(&self) -> (usize, usize) {
        let mut missed = 0;
        let mut all = 0;
        for (s, g) in self.statics.iter().zip(&self.gold) {
            let names = g.iter().filter(|&&l| l != O).count();
            let tagged = s.items.iter().filter(|item| g[item.tok as usize] != O).count();
            all += names;
            missed += names - tagged;
        }
        (missed, all)
    }
}

/// How a model is trained.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// log2 of the number of weight rows.
    pub bits: u32,
    /// Passes over the training data.
    pub epochs: usize,
    /// Seed of the shuffles between passes (training is deterministic).
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            bits: 16,
            epochs: 8,
            seed: 20_091_201,
        }
    }
}

/// An averaged perceptron being trained: current weights, their running sums and the step of
/// each weight's last change (for lazy averaging).
struct Learner {
    w: Vec<f32>,
    total: Vec<f64>,
    stamp: Vec<u32>,
    step: u32,
    bits: u32,
}

impl Learner {
    fn new(bits: u32) -> Learner {
        let len = (1usize << bits) * NL;
        Learner {
            w: vec![0.0; len],
            total: vec![0.0; len],
            stamp: vec![0; len],
            step: 1,
            bits,
        }
    }

    fn scores(&self, feats: &[H]) -> [f32; NL] {
        let mut s = [0f32; NL];
        for h in feats {
            let row = h.row(self.bits) as usize * NL;
            for (a, b) in s.iter_mut().zip(&self.w[row..row + NL]) {
                *a += *b;
            }
        }
        s
    }

    fn update(&mut self, feats: &[H], label: u8, delta: f32) {
        for h in feats {
            let k = h.row(self.bits) as usize * NL + label as usize;
            self.total[k] += (self.step - self.stamp[k]) as f64 * self.w[k] as f64;
            self.stamp[k] = self.step;
            self.w[k] += delta;
        }
    }

    /// The averaged weights, quantised to 16 bits.
    fn finish(self, clusters: bool) -> Model {
        let step = self.step as f64;
        let avg: Vec<f64> = (0..self.w.len())
            .map(|k| (self.total[k] + (self.step - self.stamp[k]) as f64 * self.w[k] as f64) / step)
            .collect();
        // The largest weights are those of the most frequent features (the bias, common
        // shapes): clamping them would change the order of labels, so the scale fits the
        // largest.
        let top = avg.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let scale = 32_767.0 / top.max(1e-9);
        let weights = avg
            .chunks_exact(NL)
            .map(|row| {
                let mut r = Row::default();
                for (w, x) in r.0.iter_mut().zip(row) {
                    *w = (x * scale).round().clamp(-32_767.0, 32_767.0) as i16;
                }
                r
            })
            .collect();
        Model {
            id: next_model_id(),
            bits: self.bits,
            weights,
            clusters,
            scale: scale as f32,
        }
    }
}

/// Trains a model, deterministically (the order of texts in each epoch comes from
/// `opts.seed`). `progress` hears each epoch's accuracy on candidate tokens.
pub fn train(set: &TrainingSet, opts: &TrainOptions, mut progress: impl FnMut(usize, f64)) -> Model {
    let mut learner = Learner::new(opts.bits);
    let mut order: Vec<usize> = (0..set.len()).collect();
    let mut rng = opts.seed | 1;
    let mut feats = Vec::with_capacity(48);
    for epoch in 0..opts.epochs {
        shuffle(&mut order, &mut rng);
        let (mut right, mut seen) = (0usize, 0usize);
        for &x in &order {
            let gold = &set.gold[x];
            let mut labels = vec![O; gold.len()];
            let mut history = History::default();
            let statics = &set.statics[x];
            for s in &statics.items {
                let i = s.tok as usize;
                let l1 = if i > 0 { labels[i - 1] } else { O };
                let l2 = if i > 1 { labels[i - 2] } else { O };
                feats.clear();
                feats.extend_from_slice(statics.of(s));
                push_label_features(s, l1, l2, history.get(s), &mut feats);
                let (guess, _) = best_allowed(&learner.scores(&feats), l1);
                seen += 1;
                if guess == gold[i] {
                    right += 1;
                } else {
                    learner.update(&feats, gold[i], 1.0);
                    learner.update(&feats, guess, -1.0);
                }
                learner.step += 1;
                // The next decisions see what was guessed, as they will when tagging.
                labels[i] = guess;
                history.note(s, guess);
            }
        }
        progress(epoch + 1, right as f64 / seen.max(1) as f64);
    }
    learner.finish(set.clusters)
}

/// Fisher-Yates with a xorshift generator: the same order for the same seed everywhere.
fn shuffle(v: &mut [usize], state: &mut u64) {
    for i in (1..v.len()).rev() {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        let j = (*state % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::with_bare_view;
    use super::super::{labels_from_ranges, EntityType, TaggedSpan};
    use super::*;

    /// A model trained on four sentences: persons after "kata", places after "di" (or the
    /// other way round with `swapped`).
    fn tiny_model(swapped: bool) -> Model {
        let (person, place) = if swapped {
            (EntityType::Place, EntityType::Person)
        } else {
            (EntityType::Person, EntityType::Place)
        };
        let texts = [
            ("kata Budi Santoso di Bandung .", vec![(5, 18, person), (22, 29, place)]),
            ("kata Siti Aminah di Surabaya .", vec![(5, 16, person), (20, 28, place)]),
            ("kata Joko Susilo di Medan .", vec![(5, 16, person), (20, 25, place)]),
            ("kata Ani Yudhoyono di Bogor .", vec![(5, 18, person), (22, 27, place)]),
        ];
        let mut set = TrainingSet::new(false);
        for (text, names) in &texts {
            with_bare_view(text, |view| set.add(view, &labels_from_ranges(view.toks, names)));
        }
        let opts = TrainOptions {
            bits: 14,
            epochs: 10,
            ..TrainOptions::default()
        };
        train(&set, &opts, |_, _| {})
    }

    /// The names `model` finds in a sentence it was not trained on.
    fn tag_fixture(model: &Model) -> Vec<TaggedSpan> {
        with_bare_view("kata Rudi Hartono di Malang .", |view| model.tag(view))
    }

    fn kinds(spans: Vec<TaggedSpan>) -> Vec<(usize, usize, EntityType)> {
        spans.iter().map(|s| (s.start, s.end, s.kind)).collect()
    }

    #[test]
    fn a_tiny_training_set_is_learned() {
        let model = tiny_model(false);
        // The model survives its file format.
        let mut file = Vec::new();
        model.write(&mut file).unwrap();
        let model = Model::from_bytes(&file).unwrap();
        let expected = vec![(1, 3, EntityType::Person), (4, 5, EntityType::Place)];
        assert_eq!(kinds(tag_fixture(&model)), expected);
        // Tagged again, with the word scores of the first time.
        assert_eq!(kinds(tag_fixture(&model)), expected);
    }

    /// The word scores kept from one model's tagging are not used by another: a model tags
    /// the same after another did as in a thread of its own.
    #[test]
    fn models_do_not_share_word_scores() {
        let (model, swapped) = (tiny_model(false), tiny_model(true));
        let alone = std::thread::scope(|s| s.spawn(|| tag_fixture(&swapped)).join().unwrap());
        tag_fixture(&model);
        assert_eq!(tag_fixture(&swapped), alone);
    }
}
