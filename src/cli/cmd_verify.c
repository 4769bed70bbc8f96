/* cmd_verify.c — `trondoi verify TOKEN --key PUBLIC_KEY`: checks a result's signed claim (the
 * c= part of its QR link) offline, with the issuing unit's published key (GET /api/v1/keys). No
 * database, no network: what any verifier can do with the QR and the key. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "core/opts.h"
#include "store/store.h"

int cmd_verify(int argc, char **argv)
{
	const char *key = NULL;
	const struct opt opts[] = {{"key", "BASE64", "the issuing unit's Ed25519 public key, as GET /api/v1/keys publishes it", &key,
				    NULL, true},
				   {0}};
	const char *pos[1];
	int npos;
	int r = opts_parse(argc, argv, opts, "verify TOKEN --key BASE64",
			   "Check a result's signed claim offline: prints the claim and \"genuine\", exits 0;\n"
			   "or says what is wrong and exits 1.",
			   pos, 1, &npos);
	if (r)
		return r < 0 ? 2 : 0;
	if (npos != 1) {
		fprintf(stderr, "trondoi verify: give the claim token (the c= part of the QR link)\n");
		return 2;
	}
	json_t *claim;
	struct err e = {0};
	if (claim_verify(pos[0], key, &claim, &e))
		return cli_fail("verify", &e);
	char *text = json_dumps(claim, JSON_COMPACT | JSON_SORT_KEYS);
	printf("%s\ngenuine: document %s issued by unit %s on %s\n", text ? text : "{}", json_string_value(json_object_get(claim, "id")),
	       json_string_value(json_object_get(claim, "iss")), json_string_value(json_object_get(claim, "d")));
	free(text);
	json_decref(claim);
	return 0;
}
