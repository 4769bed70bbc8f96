/* static.c — web pages and scripts from web/. Only plain names are served: no "..", no
 * hidden files, a known extension. Browser libraries installed from npm into web/node_modules
 * (web/package.json, by scripts/deps.sh) are served only as the files the vendor table names. */
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/server.h"

static const struct {
	const char *ext, *type;
} types[] = {
	{".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
	{".png", "image/png"},                 {".json", "application/json; charset=utf-8"},
	{".ico", "image/x-icon"},
};

static const char *type_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof *types; i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return NULL;
}

static int safe(const char *p)
{
	if (p[0] != '/' || strstr(p, "..") || strstr(p, "/.") || strlen(p) > 200)
		return 0;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("/._-", *p)))
			return 0;
	return 1;
}

/* The files of web/node_modules the pages may load, each at a path of its own; nothing else of
 * node_modules is served. */
static const struct {
	const char *path, *file;
} vendor[] = {
	{"/vendor/chart.umd.js", "/node_modules/chart.js/dist/chart.umd.js"}, /* Chart.js, the dashboard's charts */
};

/* The file under web_dir that path names: a vendor file, or the path itself. */
static const char *file_of(const char *path)
{
	for (size_t i = 0; i < sizeof vendor / sizeof *vendor; i++)
		if (!strcmp(path, vendor[i].path))
			return vendor[i].file;
	return strstr(path, "node_modules") ? NULL : path; /* however the path is spelt ("//node_modules/…") */
}

struct MHD_Response *static_file(const char *web_dir, const char *path, int *status)
{
	char full[1024];
	static const struct {
		const char *prefix, *page;
	} aliases[] = {{"/verify/", "/verify.html"}}; /* pages whose path carries an id */
	if (!strcmp(path, "/"))
		path = "/index.html";
	for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
		if (!strncmp(path, aliases[i].prefix, strlen(aliases[i].prefix)) && safe(path))
			path = aliases[i].page;
	const char *type = type_of(path);
	if (!web_dir || !type || !safe(path) || !(path = file_of(path)))
		return NULL;
	snprintf(full, sizeof full, "%s%s", web_dir, path);
	int fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (!r) {
		close(fd);
		return NULL;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	*status = 200;
	return r;
}
