/* banned.h — functions that invite overflows; use snprintf and struct buf instead. */
#ifndef TD_BANNED_H
#define TD_BANNED_H
#define strcpy(...) strcpy_is_banned_use_snprintf
#define strcat(...) strcat_is_banned_use_buf
#define sprintf(...) sprintf_is_banned_use_snprintf
#define vsprintf(...) vsprintf_is_banned_use_vsnprintf
#define gets(...) gets_is_banned
#define strncpy(...) strncpy_is_banned_use_snprintf
#endif
