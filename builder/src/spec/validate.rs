//! The checks a job spec passes before any data is read, one function per
//! part of the spec. Each returns the first problem, naming the key.

use super::*;

/// The first problem found, if any.
type Check = std::result::Result<(), String>;

impl JobSpec {
    /// Check every value (after parsing, before any data is read).
    pub(super) fn validate(&self) -> Check {
        // Bounds first: nothing below may multiply a shape that overflows.
        super::limits::check(self)?;
        // Shapes next: the checks below read output_shape[0].
        shapes(self)?;
        counts(&self.training)?;
        if let Some(d) = &self.training.device {
            DeviceName::parse(d).map_err(|e| format!("training.device: {e}"))?;
        }
        optimizer(&self.training)?;
        schedule(&self.training)?;
        regularisation(self)?;
        if let Some(e) = &self.training.early_stopping {
            early_stopping(self, e)?;
        }
        if let Some(a) = &self.training.augmentation {
            augmentation(self, a)?;
        }
        if let Some(col) = &self.dataset.definition.split_column {
            split_column(self, col)?;
        }
        model(&self.model, &self.dataset.definition)?;
        if self.model.architecture == Architecture::Bert {
            text_job(self)?;
        } else {
            not_text_job(self)?;
        }
        data(self)
    }
}

/// Split fractions, epoch and step counts, the rate and weight decay.
fn counts(t: &TrainingSpec) -> Check {
    let fraction = |name: &str, v: f64| {
        if (0.0..1.0).contains(&v) {
            Ok(())
        } else {
            Err(format!("training.{name} = {v} must be in [0, 1)"))
        }
    };
    fraction("validation_split", t.validation_split)?;
    fraction("test_split", t.test_split)?;
    if t.validation_split + t.test_split >= 1.0 {
        return Err(
            "training.validation_split + training.test_split leave no training data".into(),
        );
    }
    let positive = [
        ("training.epochs", t.epochs),
        ("training.batch_size", t.batch_size),
        ("training.validation_freq", t.validation_freq),
    ];
    if let Some((name, _)) = positive.iter().find(|(_, v)| *v == 0) {
        return Err(format!("{name} must be at least 1"));
    }
    if t.initial_epoch >= t.epochs {
        return Err(format!(
            "training.initial_epoch = {} must be below training.epochs = {}",
            t.initial_epoch, t.epochs
        ));
    }
    if matches!(t.steps_per_epoch, Some(0)) || matches!(t.validation_steps, Some(0)) {
        return Err(
            "training.steps_per_epoch and training.validation_steps must be at least 1".into(),
        );
    }
    if !(t.learning_rate.is_finite() && t.learning_rate > 0.0) {
        return Err(format!(
            "training.learning_rate = {} must be a positive number",
            t.learning_rate
        ));
    }
    if !(t.weight_decay.is_finite() && t.weight_decay >= 0.0) {
        return Err("training.weight_decay must be a non-negative number".into());
    }
    Ok(())
}

/// Momentum and clipping.
fn optimizer(t: &TrainingSpec) -> Check {
    if !(0.0..1.0).contains(&t.momentum) {
        return Err(format!(
            "training.momentum = {} must be in [0, 1)",
            t.momentum
        ));
    }
    if (t.momentum > 0.0 || t.nesterov) && t.optimizer != Optimizer::Sgd {
        return Err("training.momentum and training.nesterov are for optimizer = \"sgd\" (Adam has its own moments)".into());
    }
    if t.nesterov && t.momentum == 0.0 {
        return Err("training.nesterov needs training.momentum > 0".into());
    }
    if matches!(t.clip_grad_norm, Some(c) if !(c.is_finite() && c > 0.0)) {
        return Err("training.clip_grad_norm must be a positive number".into());
    }
    Ok(())
}

/// `[training.schedule]`.
fn schedule(t: &TrainingSpec) -> Check {
    let Some(s) = &t.schedule else {
        return Ok(());
    };
    if s.warmup_epochs >= t.epochs {
        return Err(format!(
            "training.schedule.warmup_epochs = {} must be below training.epochs = {}",
            s.warmup_epochs, t.epochs
        ));
    }
    let only = |key: &str, set: bool, kind: ScheduleKind| {
        if set && s.kind != kind {
            Err(format!(
                "training.schedule.{key} is only for kind = \"{}\"",
                format!("{kind:?}").to_lowercase()
            ))
        } else {
            Ok(())
        }
    };
    only("step_epochs", s.step_epochs.is_some(), ScheduleKind::Step)?;
    only("gamma", s.gamma.is_some(), ScheduleKind::Step)?;
    only(
        "min_learning_rate",
        s.min_learning_rate.is_some(),
        ScheduleKind::Cosine,
    )?;
    if s.kind == ScheduleKind::Step && !matches!(s.step_epochs, Some(n) if n > 0) {
        return Err("training.schedule kind = \"step\" needs step_epochs ≥ 1".into());
    }
    if matches!(s.gamma, Some(g) if !(g.is_finite() && g > 0.0 && g <= 1.0)) {
        return Err("training.schedule.gamma must be in (0, 1]".into());
    }
    if matches!(s.min_learning_rate, Some(m) if !(m.is_finite() && m >= 0.0 && m <= t.learning_rate))
    {
        return Err("training.schedule.min_learning_rate must be in [0, learning_rate]".into());
    }
    Ok(())
}

/// Dropout, class weights, label smoothing, target scaling and stratification.
fn regularisation(spec: &JobSpec) -> Check {
    let (t, m) = (&spec.training, &spec.model);
    if !(0.0..1.0).contains(&m.dropout) {
        return Err(format!("model.dropout = {} must be in [0, 1)", m.dropout));
    }
    let classification = m.task != Task::Regression;
    let classes = match m.task {
        Task::Binary => 2,
        _ => spec.dataset.definition.output_shape[0],
    };
    if let Some(w) = &t.class_weights {
        if !classification {
            return Err("training.class_weights is for classification tasks".into());
        }
        if w.len() != classes {
            return Err(format!(
                "training.class_weights has {} values; the model has {classes} classes",
                w.len()
            ));
        }
        if w.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return Err("training.class_weights must all be positive numbers".into());
        }
    }
    if !(0.0..1.0).contains(&t.label_smoothing) {
        return Err(format!(
            "training.label_smoothing = {} must be in [0, 1)",
            t.label_smoothing
        ));
    }
    if t.label_smoothing > 0.0 && !classification {
        return Err("training.label_smoothing is for classification tasks".into());
    }
    if spec.dataset.definition.preprocessing.standardize_target && classification {
        return Err("dataset.definition.preprocessing.standardize_target is for regression".into());
    }
    if t.stratify && !classification {
        return Err("training.stratify is for classification tasks".into());
    }
    Ok(())
}

/// `[training.early_stopping]`.
fn early_stopping(spec: &JobSpec, e: &EarlyStopping) -> Check {
    let (t, m) = (&spec.training, &spec.model);
    if !MONITORS.iter().any(|(name, _)| *name == e.monitor) {
        let names: Vec<&str> = MONITORS.iter().map(|(n, _)| *n).collect();
        return Err(format!(
            "training.early_stopping.monitor = {:?} is not one of {}",
            e.monitor,
            names.join(", ")
        ));
    }
    let fits = match m.task {
        Task::Regression => [
            "loss",
            "mean-absolute-error",
            "root-mean-squared-error",
            "r2",
        ]
        .contains(&e.monitor.as_str()),
        Task::Binary => {
            ["loss", "accuracy", "f1", "roc-auc", "pr-auc"].contains(&e.monitor.as_str())
        }
        Task::Multiclass => ["loss", "accuracy", "macro-f1"].contains(&e.monitor.as_str()),
    };
    if !fits {
        return Err(format!(
            "training.early_stopping.monitor = {:?} is not a figure of a {:?} task",
            e.monitor, m.task
        ));
    }
    if e.patience == 0 {
        return Err("training.early_stopping.patience must be at least 1".into());
    }
    if !(e.min_delta.is_finite() && e.min_delta >= 0.0) {
        return Err("training.early_stopping.min_delta must be a non-negative number".into());
    }
    if t.validation_split == 0.0 && spec.dataset.definition.split_column.is_none() {
        return Err(
            "training.early_stopping needs a validation split (training.validation_split > 0)"
                .into(),
        );
    }
    Ok(())
}

/// `[training.augmentation]`.
fn augmentation(spec: &JobSpec, a: &Augmentation) -> Check {
    let m = &spec.model;
    let shape = &spec.dataset.definition.input_shape;
    if m.architecture != Architecture::Cnn {
        return Err("training.augmentation is for images (architecture = \"cnn\")".into());
    }
    if !(a.horizontal_flip || a.vertical_flip || a.shift > 0) {
        return Err(
            "training.augmentation turns nothing on: set horizontal_flip, vertical_flip or shift"
                .into(),
        );
    }
    if shape.len() == 3 && a.shift >= shape[0].min(shape[1]) {
        return Err(format!(
            "training.augmentation.shift = {} must be below the image's height and width",
            a.shift
        ));
    }
    Ok(())
}

/// `dataset.definition.split_column`.
fn split_column(spec: &JobSpec, col: &str) -> Check {
    let t = &spec.training;
    let text = spec.dataset.definition.text.is_some();
    if spec.dataset.format != DataFormat::Csv && !text {
        return Err("dataset.definition.split_column is for CSV and text datasets".into());
    }
    let declared = spec
        .dataset
        .definition
        .columns
        .iter()
        .find(|c| c.name == col);
    // A text dataset's columns are named, not declared.
    if !text && declared.map(|c| c.kind) != Some(ColumnType::Ignore) {
        return Err(format!(
            "dataset.definition.split_column {col:?} must be a declared column of type \"ignore\""
        ));
    }
    if t.validation_split > 0.0 || t.test_split > 0.0 || t.stratify {
        return Err("dataset.definition.split_column assigns the splits: drop training.validation_split, training.test_split and training.stratify".into());
    }
    Ok(())
}

/// Input and output shapes against the task and the class names.
fn shapes(spec: &JobSpec) -> Check {
    let (d, m) = (&spec.dataset.definition, &spec.model);
    let text = m.architecture == Architecture::Bert;
    if !text && d.input_shape.is_empty() {
        return Err(
            "dataset.definition.input_shape is missing: [height, width, channels] for images; a CSV MLP's is [number of feature columns] when its columns are listed".into(),
        );
    }
    if !text && d.input_shape.contains(&0) {
        return Err("dataset.definition.input_shape has a zero dimension".into());
    }
    if d.output_shape.is_empty() {
        return Err(
            "dataset.definition.output_shape is missing: [number of classes] for multiclass (or list dataset.definition.classes)".into(),
        );
    }
    if d.output_shape.len() != 1 || d.output_shape[0] == 0 {
        return Err("dataset.definition.output_shape must be [n] with n ≥ 1".into());
    }
    let outputs = d.output_shape[0];
    match m.task {
        Task::Binary if outputs != 1 => {
            return Err(format!(
                "model.task = \"binary\" needs output_shape [1], not [{outputs}]"
            ))
        }
        Task::Multiclass if outputs < 2 => {
            return Err("model.task = \"multiclass\" needs output_shape [n] with n ≥ 2".into())
        }
        _ => {}
    }
    if let Some(classes) = &d.classes {
        let want = if m.task == Task::Binary { 2 } else { outputs };
        if m.task == Task::Regression || classes.len() != want {
            return Err(format!(
                "dataset.definition.classes has {} names; {:?} with output_shape [{outputs}] needs {want}",
                classes.len(),
                m.task
            ));
        }
    }
    Ok(())
}

/// The architecture and its layers.
fn model(m: &ModelSpec, d: &DatasetDefinition) -> Check {
    if m.architecture == Architecture::Cnn {
        if m.kernel_size % 2 == 0 || m.kernel_size > 15 {
            return Err(format!(
                "model.kernel_size = {} must be odd and at most 15 (\"same\" padding needs a centre)",
                m.kernel_size
            ));
        }
        if m.stride == 0 || m.stride > 4 {
            return Err(format!("model.stride = {} must be 1 to 4", m.stride));
        }
    } else if m.kernel_size != 3 || m.stride != 1 || m.pool != Pool::Max {
        return Err(
            "model.kernel_size, model.stride and model.pool are for architecture = \"cnn\"".into(),
        );
    }
    if m.hidden.contains(&0) || m.conv.contains(&0) {
        return Err("model.hidden and model.conv widths must be at least 1".into());
    }
    match m.architecture {
        Architecture::Mlp if !m.conv.is_empty() => {
            return Err("model.conv is only for architecture = \"cnn\"".into())
        }
        Architecture::Cnn if d.input_shape.len() != 3 || m.conv.is_empty() => {
            return Err("architecture = \"cnn\" needs input_shape [height, width, channels] and at least one model.conv layer".into())
        }
        _ => {}
    }
    Ok(())
}

/// Preprocessing and what each data format needs.
fn data(spec: &JobSpec) -> Check {
    let d = &spec.dataset.definition;
    if let Some(p) = &d.preprocessing.clip {
        if !(p[0].is_finite() && p[1].is_finite() && p[0] <= p[1]) {
            return Err(
                "dataset.definition.preprocessing.clip must be [min, max] with min ≤ max".into(),
            );
        }
    }
    if matches!(d.preprocessing.scale, Some(s) if !s.is_finite()) {
        return Err("dataset.definition.preprocessing.scale must be finite".into());
    }
    match spec.dataset.format {
        DataFormat::Csv if d.text.is_none() => {
            if d.columns.is_empty() || d.label.is_none() {
                return Err(
                    "a CSV dataset needs dataset.definition.columns and dataset.definition.label"
                        .into(),
                );
            }
            for name in d.label.iter().chain(&d.key) {
                if !d.columns.iter().any(|c| &c.name == name) {
                    return Err(format!(
                        "dataset.definition names column {name:?}, which is not in columns"
                    ));
                }
            }
        }
        DataFormat::Idx if spec.dataset.labels.is_none() => {
            return Err("an IDX dataset needs dataset.labels (the label file)".into())
        }
        _ => {}
    }
    Ok(())
}

/// What a BERT fine-tuning job must say, and what it must not.
fn text_job(spec: &JobSpec) -> Check {
    let (m, d) = (&spec.model, &spec.dataset.definition);
    let Some(text) = &d.text else {
        return Err("architecture = \"bert\" needs [dataset.definition.text] (the text column and max_length)".into());
    };
    let Some(p) = &m.pretrained else {
        return Err(
            "architecture = \"bert\" needs [model.pretrained] (the Hugging Face model directory)"
                .into(),
        );
    };
    let unused = [
        ("model.hidden", !m.hidden.is_empty()),
        ("model.base", m.base.is_some()),
        ("model.batch_norm", m.batch_norm),
        ("model.activation", !m.activation.is_relu()),
        (
            "training.augmentation",
            spec.training.augmentation.is_some(),
        ),
        ("dataset.definition.input_shape", !d.input_shape.is_empty()),
        ("dataset.definition.columns", !d.columns.is_empty()),
        (
            "dataset.definition.preprocessing",
            d.preprocessing != Preprocessing::default(),
        ),
        ("dataset.croissant", spec.dataset.croissant.is_some()),
    ];
    if let Some((key, _)) = unused.iter().find(|(_, set)| *set) {
        return Err(format!("{key} is not used by architecture = \"bert\""));
    }
    if !matches!(spec.dataset.format, DataFormat::Csv | DataFormat::Jsonl) {
        return Err("architecture = \"bert\" reads dataset.format = \"csv\" or \"jsonl\"".into());
    }
    if d.label.is_none() {
        return Err("a text dataset needs dataset.definition.label".into());
    }
    if !(2..=4096).contains(&text.max_length) {
        return Err(format!(
            "dataset.definition.text.max_length = {} must be 2 to 4096",
            text.max_length
        ));
    }
    if !(1..=1 << 20).contains(&text.max_text_bytes) {
        return Err("dataset.definition.text.max_text_bytes must be 1 to 1048576".into());
    }
    if let Some(l) = &m.lora {
        lora(l, m.freeze_encoder)?;
    }
    pretrained(p)
}

/// `[model.lora]`.
fn lora(l: &Lora, freeze_encoder: bool) -> Check {
    if freeze_encoder {
        return Err(
            "model.lora and model.freeze_encoder are two different modes: choose one".into(),
        );
    }
    if !(1..=256).contains(&l.rank) {
        return Err(format!("model.lora.rank = {} must be 1 to 256", l.rank));
    }
    if !(l.alpha.is_finite() && l.alpha > 0.0) {
        return Err("model.lora.alpha must be a positive number".into());
    }
    if l.target_modules.is_empty() {
        return Err("model.lora.target_modules must name at least one projection".into());
    }
    for (i, t) in l.target_modules.iter().enumerate() {
        if !LORA_TARGETS.contains(&t.as_str()) {
            return Err(format!(
                "model.lora.target_modules: {t:?} is not one of {}",
                LORA_TARGETS.join(", ")
            ));
        }
        if l.target_modules[..i].contains(t) {
            return Err(format!("model.lora.target_modules names {t:?} twice"));
        }
    }
    Ok(())
}

/// `[model.pretrained]`: something must vouch for the base model.
fn pretrained(p: &Pretrained) -> Check {
    if p.signature.is_none() && p.manifest_sha256.is_none() && p.files.is_empty() {
        return Err("model.pretrained needs a signature or pinned digests (manifest_sha256 or files): an unverified base model is refused".into());
    }
    match (&p.signature, &p.key, &p.identity) {
        (Some(_), Some(_), Some(_)) => {
            return Err("model.pretrained: give key (keyed) or identity (keyless), not both".into())
        }
        (Some(_), None, None) => {
            return Err("model.pretrained.signature needs key (keyed) or identity and issuer (keyless)".into())
        }
        (Some(_), None, Some(_)) if p.issuer.is_none() => {
            return Err("model.pretrained.identity needs model.pretrained.issuer".into())
        }
        (None, k, i) if k.is_some() || i.is_some() || p.issuer.is_some() || p.trusted_root.is_some() => {
            return Err("model.pretrained.key, identity, issuer and trusted_root are for model.pretrained.signature".into())
        }
        _ => {}
    }
    let hex = |v: &str| {
        v.len() == 64
            && v.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    if let Some(m) = &p.manifest_sha256 {
        if !hex(m) {
            return Err("model.pretrained.manifest_sha256 must be 64 lower-case hex digits".into());
        }
    }
    if let Some((name, _)) = p.files.iter().find(|(_, v)| !hex(v)) {
        return Err(format!(
            "model.pretrained.files.{name:?} must be 64 lower-case hex digits"
        ));
    }
    Ok(())
}

/// Keys that only BERT jobs take.
fn not_text_job(spec: &JobSpec) -> Check {
    let m = &spec.model;
    let only_bert = [
        ("model.pretrained", m.pretrained.is_some()),
        ("model.pooling", !m.pooling.is_cls()),
        ("model.freeze_encoder", m.freeze_encoder),
        ("model.lora", m.lora.is_some()),
        (
            "dataset.definition.text",
            spec.dataset.definition.text.is_some(),
        ),
        (
            "dataset.format = \"jsonl\"",
            spec.dataset.format == DataFormat::Jsonl,
        ),
    ];
    match only_bert.iter().find(|(_, set)| *set) {
        Some((key, _)) => Err(format!("{key} is only for architecture = \"bert\"")),
        None => Ok(()),
    }
}
