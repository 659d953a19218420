#!/usr/bin/env bash
# Seeds each fuzz target's corpus with small real files made by ffmpeg (and heif-enc when it is
# installed), so the fuzzer starts from valid structure instead of discovering every magic number.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
picture="testsrc=size=64x48:rate=10:duration=0.5"
tone="sine=frequency=440:duration=0.3"

ff -f lavfi -i "$picture" -frames:v 1 "$work/a.jpg"
ff -f lavfi -i "$picture" -frames:v 1 -pix_fmt gray "$work/gray.jpg"
ff -f lavfi -i "$picture" -frames:v 1 "$work/a.png"
ff -f lavfi -i "$picture" -frames:v 1 "$work/a.gif"
ff -f lavfi -i "$picture" -frames:v 1 "$work/a.webp"
ff -f lavfi -i "$picture" -f lavfi -i "$tone" -c:v libx264 -c:a aac -shortest "$work/a.mp4"
ff -f lavfi -i "$picture" -c:v libx264 -movflags frag_keyframe+empty_moov "$work/frag.mp4"
ff -f lavfi -i "$picture" -c:v mpeg4 -metadata:s:v:0 rotate=90 "$work/turned.mov"
ff -f lavfi -i "$tone" -c:a aac "$work/a.m4a"
ff -f lavfi -i "$picture" -f lavfi -i "$tone" -c:v libvpx -c:a libopus -shortest "$work/a.webm"
ff -f lavfi -i "$picture" -c:v libvpx -f webm - > "$work/live.webm"
ff -f lavfi -i "$tone" "$work/a.wav"
ff -f lavfi -i "$tone" -c:a libmp3lame "$work/a.mp3"
ff -f lavfi -i "$tone" -c:a libmp3lame -q:a 4 -write_xing 0 "$work/vbr.mp3"
ff -f lavfi -i "$tone" -c:a aac -f adts "$work/a.aac"
ff -f lavfi -i "$tone" -c:a flac "$work/a.flac"
printf '<svg xmlns="http://www.w3.org/2000/svg" width="2in" height="3cm" viewBox="0 0 10 20"/>' \
    > "$work/a.svg"
if command -v heif-enc > /dev/null; then
    heif-enc -q 30 "$work/a.png" -o "$work/a.heic" > /dev/null
fi

seed() { # target files...
    local target=$1
    shift
    mkdir -p "corpus/$target"
    for file in "$@"; do
        [ -f "$file" ] && cp "$file" "corpus/$target/"
    done
}
seed probe_jpeg "$work/a.jpg"
seed thumb_jpeg_dc "$work/a.jpg" "$work/gray.jpg"
seed probe_png "$work/a.png"
seed probe_gif "$work/a.gif"
seed probe_webp "$work/a.webp"
seed probe_svg "$work/a.svg"
seed probe_isobmff "$work/a.mp4" "$work/frag.mp4" "$work/turned.mov" "$work/a.m4a"
seed probe_heif "$work/a.heic"
seed probe_matroska "$work/a.webm" "$work/live.webm"
seed probe_wav "$work/a.wav"
seed probe_mp3 "$work/a.mp3" "$work/vbr.mp3"
seed probe_adts "$work/a.aac"
seed probe_flac "$work/a.flac"
seed probe_any "$work"/*
echo "seeded $(find corpus -type f | wc -l) files"
