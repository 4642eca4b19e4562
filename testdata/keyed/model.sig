{
  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "verificationMaterial": {
    "publicKey": {
      "hint": "43e10e5ee07492c74fc0f4d12824fee5bbe0c8f15d51dded4ea03d2b36a87363"
    },
    "tlogEntries": []
  },
  "dsseEnvelope": {
    "payload": "ewogICJfdHlwZSI6ICJodHRwczovL2luLXRvdG8uaW8vU3RhdGVtZW50L3YxIiwKICAicHJlZGljYXRlIjogewogICAgInJlc291cmNlcyI6IFsKICAgICAgewogICAgICAgICJhbGdvcml0aG0iOiAic2hhMjU2IiwKICAgICAgICAiZGlnZXN0IjogImE4MGRkMzkyMjIxMzQ5NzYyMTRmNjBjYTZlYTZiZjRhMzllMDg5YzY4YTIxNjdiYTllYzE1Nzg4MTc0MGUwOGYiLAogICAgICAgICJuYW1lIjogImNvbmZpZy5qc29uIgogICAgICB9LAogICAgICB7CiAgICAgICAgImFsZ29yaXRobSI6ICJzaGEyNTYiLAogICAgICAgICJkaWdlc3QiOiAiYzhmNWQwMzQxZDU0ZDk1MWE3MWIxMzZlNmUyYWZjYjE0ZDExZWQ4NDg5YTdhZTEyNmE4ZmVlMGRmNmVjZjE5MyIsCiAgICAgICAgIm5hbWUiOiAid2VpZ2h0cy9tb2RlbC5zYWZldGVuc29ycyIKICAgICAgfQogICAgXSwKICAgICJzZXJpYWxpemF0aW9uIjogewogICAgICAiYWxsb3dfc3ltbGlua3MiOiBmYWxzZSwKICAgICAgImhhc2hfdHlwZSI6ICJzaGEyNTYiLAogICAgICAiaWdub3JlX3BhdGhzIjogWwogICAgICAgICJtb2RlbC5zaWciCiAgICAgIF0sCiAgICAgICJtZXRob2QiOiAiZmlsZXMiCiAgICB9CiAgfSwKICAicHJlZGljYXRlVHlwZSI6ICJodHRwczovL21vZGVsX3NpZ25pbmcvc2lnbmF0dXJlL3YxLjAiLAogICJzdWJqZWN0IjogWwogICAgewogICAgICAiZGlnZXN0IjogewogICAgICAgICJzaGEyNTYiOiAiODBmNWQ4ZDY4NjM0NmI2NmE2OWU1Y2UyNDJhNmQ3NWQ0Yzc0NTRkNzU1ZGU4NDYxYWY0NjZjZjU2ZmUwM2RkZCIKICAgICAgfSwKICAgICAgIm5hbWUiOiAibW9kZWwiCiAgICB9CiAgXQp9",
    "payloadType": "application/vnd.in-toto+json",
    "signatures": [
      {
        "sig": "MEQCIBHCdC+5fQp7g1FL4aUiacT4HsZ5Nyf99kPUqFysNM2EAiABIV0V01mFhzB9sO7INilrwUgrR5ZIyMrrm+PvRQGj5A==",
        "keyid": ""
      }
    ]
  }
}
