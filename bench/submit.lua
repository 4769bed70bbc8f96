-- submit.lua — wrk: each request submits a dossier (procedure 1.004873) as the signed-in citizen
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"procedure":"1.004873","fields":{"purpose":"loan"}}'
