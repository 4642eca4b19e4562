{
  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "verificationMaterial": {
    "publicKey": {
      "hint": "ab6ff94b34e1524ee4b6bd0aa6b804abd2dd1e033a60f7e5d4a44793b9364e50"
    },
    "tlogEntries": [],
    "timestampVerificationData": {}
  },
  "dsseEnvelope": {
    "payloadType": "application/vnd.in-toto+json",
    "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJzdWJqZWN0IjpbeyJuYW1lIjoibW9kZWwiLCJkaWdlc3QiOnsic2hhMjU2IjoiMjRkMDU3NGVjOWQ4MGMxOGYwMGNmZDhhOWNhMTE0MjUyNTE3NzYyYjU2N2JjNWNlZGI1ZmQ3ZGE5ODlhNTFhYSJ9fV0sInByZWRpY2F0ZVR5cGUiOiJodHRwczovL21vZGVsX3NpZ25pbmcvc2lnbmF0dXJlL3YxLjAiLCJwcmVkaWNhdGUiOnsic2VyaWFsaXphdGlvbiI6eyJtZXRob2QiOiJmaWxlcyIsImhhc2hfdHlwZSI6InNoYTI1NiIsImFsbG93X3N5bWxpbmtzIjpmYWxzZSwiaWdub3JlX3BhdGhzIjpbXX0sInJlc291cmNlcyI6W3sibmFtZSI6ImNvbmZpZy5qc29uIiwiYWxnb3JpdGhtIjoic2hhMjU2IiwiZGlnZXN0IjoiNWI3NjRlN2M5YjdhMmU3OWRjNWViYjFiYzNhODBmYzE1ZTI2ZjgwYmVhZDU1YWIyYTZlMGE0NmNjZWQ3ZWU0MSJ9LHsibmFtZSI6Im1vZGVsLnNhZmV0ZW5zb3JzIiwiYWxnb3JpdGhtIjoic2hhMjU2IiwiZGlnZXN0IjoiYzViNWVjNzE5NjhkMGE2N2Q3MjQ1ODRiM2IwZDdlMWUxODBiYmMyNjliNTFkNGMwNThlYjE3ZWNkMTdkOTU4ZCJ9XX19",
    "signatures": [
      {
        "sig": "MEUCIQCINkyQheVtWJJQqfBIWtr/Z7gtGt9oD34XdxShjWEfgAIgHUUuNq+xtXFwNrbXxKtmQlqCUrvWq351/jPgAy2Hf/s="
      }
    ]
  }
}
