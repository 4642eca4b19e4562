"""Run a model_signing release's own CLI (`python model-signing-offline.py
sign key ...`) on a machine that cannot reach Sigstore.

model_signing 0.3.1 to 1.0.1 build a default Sigstore signer in
`signing.Config()` before the CLI replaces it with the key or certificate
signer it was asked for, and building it contacts Sigstore's OIDC and TUF
services. This stubs that constructor only; the signer that signs is the
release's own.
"""
import sys

try:
    from model_signing._signing import sign_sigstore
except ImportError:  # 0.3.0 has no such module on this path
    sign_sigstore = None
if sign_sigstore is not None:
    sign_sigstore.Signer.__init__ = lambda self, *args, **kwargs: None

from model_signing._cli import main

sys.argv[0] = "model_signing"
main()
