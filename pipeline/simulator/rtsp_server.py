#!/usr/bin/python3
"""RTSP server for the camera simulator (Debian's GStreamer RTSP server through GI).

Serves pre-encoded H.264 clips, one mount per camera, without encoding anything at serve
time: the simulator must not eat the CPU the cameras under test need. Each clip is split
into access units once at start; a timer pushes them into an appsrc at the clip's frame
rate, looping, and reports on stdout (JSON lines) when each loop of each mount starts, so
the parent can write the answer key in wall-clock time.

Usage: rtsp_server.py CONFIG_JSON
  {"host": "127.0.0.1", "port": 8554,
   "mounts": [{"path": "/cam1", "clip": "file.h264", "fps": 25, "loop": true,
               "corrupt": false, "width": 1920, "height": 1080}]}
A mount with "loop": false ends its stream (EOS) after one pass of the clip: a truncated
stream. "corrupt": true serves random bytes in place of the clip's slices; "damage": 0.1 flips
bytes in, or truncates, that share of the clip's access units.
"""
import json
import os
import random
import sys
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)


def emit(event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def codec_of(path):
    """The clip's codec, from its extension (.h264 or .h265)."""
    return "h265" if path.endswith(".h265") else "h264"


def split_access_units(path):
    """Access units of an Annex B H.264/H.265 file, through its parser (alignment=au)."""
    c = codec_of(path)
    pipe = Gst.parse_launch(
        f'filesrc location="{path}" ! {c}parse ! '
        f"video/x-{c},stream-format=byte-stream,alignment=au ! appsink name=sink sync=false"
    )
    sink = pipe.get_by_name("sink")
    pipe.set_state(Gst.State.PLAYING)
    units = []
    while True:
        sample = sink.emit("pull-sample")
        if sample is None:
            break
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if ok:
            units.append(bytes(info.data))
            buf.unmap(info)
    pipe.set_state(Gst.State.NULL)
    if not units:
        raise RuntimeError(f"{path}: no {codec_of(path).upper()} access units")
    return units


class Mount:
    def __init__(self, spec):
        self.spec = spec
        self.fps = float(spec["fps"])
        self.units = split_access_units(spec["clip"])
        if spec.get("corrupt"):
            rnd = random.Random(7)
            # Noise from the first byte: a stream that never yields a decodable picture.
            self.units = [rnd.randbytes(len(u)) for u in self.units]
        elif spec.get("damage"):
            # Damaged slices among good ones (a lossy link, a failing encoder): that share of
            # access units get bytes flipped past their NAL headers or are cut short.
            rnd = random.Random(11)
            damaged = []
            for u in self.units:
                if len(u) > 32 and rnd.random() < float(spec["damage"]):
                    b = bytearray(u)
                    if rnd.random() < 0.5:
                        for _ in range(max(1, len(b) // 50)):
                            i = rnd.randrange(16, len(b))
                            b[i] ^= 1 << rnd.randrange(8)
                    else:
                        b = b[: rnd.randrange(16, len(b))]
                    damaged.append(bytes(b))
                else:
                    damaged.append(u)
            self.units = damaged
        self.appsrc = None
        self.index = 0
        self.started = None
        self.since = None
        self.timer = None
        self.loop_no = -1
        # Where in the clip the stream starts (a keyframe), so cameras sharing a clip can differ.
        self.start_frame = int(spec.get("start_frame", 0)) % max(1, len(self.units))

    def factory(self):
        f = GstRtspServer.RTSPMediaFactory()
        c = codec_of(self.spec["clip"])
        caps = f"video/x-{c},stream-format=byte-stream,alignment=au,framerate={int(self.fps)}/1"
        f.set_launch(
            f"( appsrc name=src is-live=true do-timestamp=true format=time caps={caps} "
            f"! {c}parse config-interval=-1 ! rtp{c}pay name=pay0 pt=96 config-interval=1 )"
        )
        f.set_shared(True)
        f.connect("media-configure", self.on_configure)
        return f

    def on_configure(self, _factory, media):
        self.appsrc = media.get_element().get_by_name("src")
        self.index = self.start_frame
        self.started = None
        self.loop_no = -1
        media.connect("unprepared", self.on_unprepared)
        # The clock starts when the stream does: a live appsrc asks for data once it plays.
        # Frames pushed before that (a timer started here) are stamped without a clock, and
        # now and then the client of such a media gets no RTP at all: its camera sees no
        # picture while the answer key counts passes it was never shown.
        self.appsrc.connect("need-data", self.on_need_data)

    def on_need_data(self, src, _length):
        if src is self.appsrc and self.started is None:
            # Frame index i is due at started + i / fps, so a stream that starts into the clip
            # has its (virtual) frame 0 in the past.
            self.since = time.time()
            self.started = self.since - self.index / self.fps
            GLib.idle_add(self.start_timer)

    def start_timer(self):
        if self.timer is None and self.appsrc is not None:
            self.timer = GLib.timeout_add(5, self.tick)
        return False

    def on_unprepared(self, _media):
        self.appsrc = None
        if self.timer is not None:
            GLib.source_remove(self.timer)
            self.timer = None

    def tick(self):
        if self.appsrc is None or self.started is None:
            self.timer = None
            return False
        due = int((time.time() - self.started) * self.fps) + 1
        while self.index < due:
            n = len(self.units)
            loop_no, frame = divmod(self.index, n)
            if loop_no > 0 and not self.spec.get("loop", True):
                self.appsrc.emit("end-of-stream")
                emit({"event": "eos", "mount": self.spec["path"], "t": time.time()})
                self.timer = None
                return False
            if loop_no != self.loop_no:
                self.loop_no = loop_no
                # Wall time of frame 0 of this loop, from the schedule rather than the push,
                # so the key does not inherit the timer's jitter. A stream that started into the
                # clip has its first loop's frame 0 in the past ("since" says when it began).
                t0 = self.started + (self.index - frame) / self.fps
                emit({"event": "loop", "mount": self.spec["path"], "loop": loop_no, "t": t0, "since": self.since})
            buf = Gst.Buffer.new_wrapped(self.units[frame])
            buf.duration = int(Gst.SECOND / self.fps)
            self.appsrc.emit("push-buffer", buf)
            self.index += 1
        return True


def main():
    cfg = json.loads(sys.argv[1])
    server = GstRtspServer.RTSPServer()
    server.set_address(cfg.get("host", "127.0.0.1"))
    server.set_service(str(cfg["port"]))
    mounts = server.get_mount_points()
    keep = []
    for spec in cfg["mounts"]:
        m = Mount(spec)
        keep.append(m)
        mounts.add_factory(spec["path"], m.factory())
    if server.attach(None) == 0:
        emit({"event": "error", "message": f"cannot bind {cfg.get('host')}:{cfg['port']}"})
        sys.exit(3)
    loop = GLib.MainLoop()

    # The parent keeps our stdin open; when it goes away (even by SIGKILL) stdin closes and
    # the server stops, so no orphan keeps the port.
    def on_stdin(channel, _cond):
        try:
            data = os.read(0, 4096)
        except OSError:
            data = b""
        if not data:
            loop.quit()
            return False
        return True

    GLib.io_add_watch(GLib.IOChannel.unix_new(0), GLib.PRIORITY_DEFAULT, GLib.IOCondition.IN | GLib.IOCondition.HUP, on_stdin)
    emit({"event": "ready", "port": server.get_bound_port(), "t": time.time()})
    loop.run()


if __name__ == "__main__":
    main()
