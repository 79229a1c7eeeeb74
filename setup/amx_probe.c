/* Exits 0 only when this process may use AMX tiles: the CPU reports AMX, the kernel grants the tile state
 * (arch_prctl) and a tile instruction runs. A VM can report the flags and still refuse the state. */
#include <immintrin.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

int main(void) {
    if (syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) != 0) return 1;
    unsigned char config[64];
    memset(config, 0, sizeof config);
    config[0] = 1;   /* palette 1 */
    config[16] = 64; /* tile 0: 64 bytes a row */
    config[48] = 16; /* tile 0: 16 rows */
    _tile_loadconfig(config);
    _tile_zero(0);
    float tile[256];
    _tile_stored(0, tile, 64);
    _tile_release();
    return tile[0] == 0.0f ? 0 : 1;
}
