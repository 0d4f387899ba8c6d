"""The parameters both GM-CNN estimators share, as numpydoc text for their docstrings."""

_COMMON_DOC = """
    group : str or FiniteGroup, default="C4"
        Symmetry group: C1 (a plain CNN), C2, C4, D1, D2, D4 (aliases p4, p4m)
        acting on the pixel grid, or a product of cyclic/dihedral groups of the
        image's size (``"C28xC28"``, ``"D14xD14"``) for the paper-faithful model.
    relaxation_rank : int, default=0
        Displacement rank of each layer's deviation from a group matrix; 0 is
        exact equivariance. The deviation starts at zero. At most the number
        of output positions of a layer (``|group| x H x W``).
    channels : sequence of int or "matched", default=(8, 8, 8)
        Regular fields per layer (each takes ``|group|`` tensor channels).
        ``"matched"``: the widths (one per layer of ``reference_channels``)
        whose exact model has the free parameters of the plain CNN (C1) with
        ``reference_channels``, within 10% where integer widths allow (a
        warning says when they do not); they are in ``channels_``. A relaxed
        model keeps its group's matched widths and adds its relaxation's
        parameters, so ``n_params_`` grows with ``relaxation_rank``.
    reference_channels : sequence of int, default=(8, 8, 8)
        The plain CNN that ``channels="matched"`` matches; ignored otherwise.
    kernel_radius : int, default=1
        Kernel radius (1 gives 3x3 kernels).
    channel_mixing : {"auto", "full", "shared"}, default="auto"
        Paper-faithful groups only: ``"shared"`` sums input channels with no
        weight, as the paper's reference implementation ("auto" is shared);
        ``"full"`` gives each (output, input) channel pair its own kernel.
    paper_block : {"reference", "compact"}, default="reference"
        Paper-faithful groups only. ``"reference"``: the block of the paper's
        reference implementation (product-neighbourhood kernel with bias,
        LayerNorm without affine, one shared PReLU, residual; no pooling
        between blocks; global max pool, dropout 0.3): with ``channels=(120,
        120)`` and ``kernel_radius=3`` on MNIST, 13,451 parameters on
        ``"C28xC28"`` and 48,731 on ``"D14xD14"``. ``"compact"``: an L1 Cayley
        ball kernel, BatchNorm and ReLU, coset pooling between blocks, global
        mean (see :class:`~skequi.models.PaperGMCNN`).
    pooling : {"max", "mean"}, default="max"
    normalization : {"batch"} or None, default="batch"
        Point groups only. ``"batch"``: :class:`~skequi.nn.FieldBatchNorm`
        after each group convolution; None: none, each convolution has a
        learned bias per field instead. Training normalises with each batch's
        statistics and the fitted model with running ones, so where a batch
        is unlike the data the fitted model sees (the steps of an
        autoregressive rollout, ``rollout_steps``) the two can part: on the
        translation plumes BatchNorm made the CNN's 20-frame forecasts worse
        with longer training, and None did not (``benchmarks/RESULTS.md``).
    field : {"scalar", "vector"}, default="scalar"
        ``"vector"``: channels are (u, v) pairs of a vector field, turned by
        rotations (see :mod:`skequi.transforms` for the convention).
    image_shape : (int, int), optional
        Shape of each image when X is flat ``(n, C*H*W)``.
    lr : float, default=0.01
    lr_schedule : {"cosine", "plateau"} or None, default=None
        ``"cosine"``: from ``lr`` down to 0 over ``max_epochs`` (each
        ``fit``/``partial_fit`` call runs it once); ``"plateau"``: x0.7 after 5
        epochs without improvement of the validation loss (the training loss
        without a validation split), the GM-CNN reference recipe; None: a
        constant ``lr``. ``lr_schedule__T_max=...``, ``lr_schedule__factor=...``
        ... override the scheduler's settings.
    max_epochs : int, default=20
    batch_size : int, default=64
    weight_decay : float, default=1e-4
    optimizer : torch optimizer class, default=torch.optim.AdamW
    criterion : torch loss class, optional
        Default ``CrossEntropyLoss`` on logits for the classifier (not skorch's
        NLLLoss, which expects probabilities), ``MSELoss`` for the regressor.
    early_stopping : bool or int, default=False
        Hold out 10% of the training data and stop after this many epochs
        (5 for True) without improvement, restoring the best weights.
    train_split : callable or None, default=None
        skorch's validation split; None trains on all of X.
    callbacks : list or None, default=None
        skorch callbacks.
    device : str, default="auto"
        ``"auto"`` uses CUDA when available.
    random_state : int, RandomState or None, default=None
        Seeds initialisation, batch order and every random draw of the fit
        with generators of its own: the same int gives the same model however
        fits are scheduled (threads, processes, dask workers). A RandomState
        gives a new draw per fit; None draws from torch's global generator.
    precision : {"float32", "bf16", "float64"}, default="float32"
        ``"bf16"``: bfloat16 autocast with float32 weights; ``"float64"``:
        double precision (equivariance to about 1e-12).
    n_threads : "auto", int or None, default="auto"
        torch intra-op threads inside ``fit`` and ``predict`` (restored
        afterwards). ``"auto"``: one thread for small models and for fits in
        worker threads, else torch's count; None leaves torch's setting alone.
    data_on_device : "auto" or bool, default="auto"
        Keep the training tensors on the device and draw batches by index
        (``"auto"``: when they take under a quarter of its free memory);
        False uses skorch's ``DataLoader`` (same batches, same model).
    verbose : int, default=0
    **kwargs
        Other skorch ``NeuralNet`` parameters (``iterator_train__...``,
        ``optimizer__...``, ``warm_start`` ...).
"""
