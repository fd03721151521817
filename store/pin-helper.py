# Keeps store part directories locked in memory for store/part-pinner.ts (Node has no mlock).
# Run by Debian's /usr/bin/python3 (standard library only). One command a line on stdin,
# answered in order by one JSON line on stdout:
#   pin <dir>    map every file of the part directory read-only and mlock it
#                -> {"op":"pin","path":..,"bytes":N} or {"op":"pin","path":..,"error":..}
#   unpin <dir>  unmap it (munmap drops the lock; the pages stay cached until reclaimed)
#                -> {"op":"unpin","path":..}
# The locks live exactly as long as this process: if it dies the kernel releases them all.
import ctypes, ctypes.util, json, os, resource, sys

libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
libc.mlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
PROT_READ, MAP_SHARED, MAP_FAILED = 1, 1, ctypes.c_void_p(-1).value

# A process with CAP_SYS_RESOURCE (root) may lift its own limit; otherwise the limit it was given
# (systemd LimitMEMLOCK, ulimit -l) stands and a pin beyond it fails with ENOMEM or EPERM.
try:
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
except (ValueError, OSError):
    pass

maps = {}  # part directory -> [(address, size)]


def unmap(entries):
    for addr, size in entries:
        libc.munmap(ctypes.c_void_p(addr), size)


def pin(path):
    entries, total = [], 0
    try:
        for name in sorted(os.listdir(path)):
            file = os.path.join(path, name)
            fd = os.open(file, os.O_RDONLY)
            try:
                size = os.fstat(fd).st_size
                if size == 0:
                    continue
                addr = libc.mmap(None, size, PROT_READ, MAP_SHARED, fd, 0)
                if addr is None or addr == MAP_FAILED:
                    raise OSError(ctypes.get_errno(), 'mmap ' + file)
                entries.append((addr, size))
                if libc.mlock(ctypes.c_void_p(addr), size) != 0:
                    err = ctypes.get_errno()
                    raise OSError(err, 'mlock %s: %s' % (file, os.strerror(err)))
                total += size
            finally:
                os.close(fd)  # the mapping keeps the file
    except OSError as e:
        unmap(entries)
        return {'error': str(e), 'errno': e.errno}
    unmap(maps.pop(path, []))
    maps[path] = entries
    return {'bytes': total}


for line in sys.stdin:
    op, _, path = line.rstrip('\n').partition(' ')
    if op == 'pin':
        reply = pin(path)
    elif op == 'unpin':
        unmap(maps.pop(path, []))
        reply = {}
    else:
        reply = {'error': 'unknown command ' + op}
    reply.update(op=op, path=path)
    sys.stdout.write(json.dumps(reply) + '\n')
    sys.stdout.flush()
