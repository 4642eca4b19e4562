{
  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "verificationMaterial": {
    "publicKey": {
      "hint": "dab7f2a5e5714010450ce1bbb9018f5287659135c20e1ea752092d7e4fa03cc6"
    },
    "tlogEntries": [],
    "timestampVerificationData": {}
  },
  "dsseEnvelope": {
    "payloadType": "application/vnd.in-toto+json",
    "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJzdWJqZWN0IjpbeyJuYW1lIjoibW9kZWwiLCJkaWdlc3QiOnsic2hhMjU2IjoiMjRkMDU3NGVjOWQ4MGMxOGYwMGNmZDhhOWNhMTE0MjUyNTE3NzYyYjU2N2JjNWNlZGI1ZmQ3ZGE5ODlhNTFhYSJ9fV0sInByZWRpY2F0ZVR5cGUiOiJodHRwczovL21vZGVsX3NpZ25pbmcvc2lnbmF0dXJlL3YxLjAiLCJwcmVkaWNhdGUiOnsic2VyaWFsaXphdGlvbiI6eyJtZXRob2QiOiJmaWxlcyIsImhhc2hfdHlwZSI6InNoYTI1NiIsImFsbG93X3N5bWxpbmtzIjpmYWxzZSwiaWdub3JlX3BhdGhzIjpbXX0sInJlc291cmNlcyI6W3sibmFtZSI6ImNvbmZpZy5qc29uIiwiYWxnb3JpdGhtIjoic2hhMjU2IiwiZGlnZXN0IjoiNWI3NjRlN2M5YjdhMmU3OWRjNWViYjFiYzNhODBmYzE1ZTI2ZjgwYmVhZDU1YWIyYTZlMGE0NmNjZWQ3ZWU0MSJ9LHsibmFtZSI6Im1vZGVsLnNhZmV0ZW5zb3JzIiwiYWxnb3JpdGhtIjoic2hhMjU2IiwiZGlnZXN0IjoiYzViNWVjNzE5NjhkMGE2N2Q3MjQ1ODRiM2IwZDdlMWUxODBiYmMyNjliNTFkNGMwNThlYjE3ZWNkMTdkOTU4ZCJ9XX19",
    "signatures": [
      {
        "sig": "MEQCIG/dEDHTZV8JZGaDqukbA+o5dVz5GL9XRYw/x55gkElOAiBqxhvkKtuxrMTiwYW/eSvmmOvsQhf1L82WL69uWvEyNA=="
      }
    ]
  }
}
