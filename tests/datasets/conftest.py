"""Tiny dataset trees in each published layout, built in ``tmp_path``.

Readers never decode media, so the audio and image files are empty: the
trees test layout, labels, groups and errors, nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from dataset_trees import touch, write

ASV19_PROTOCOLS = {
    "train": (
        "ASVspoof2019.LA.cm.train.trn.txt",
        "LA_0079 LA_T_1138215 - - bonafide\n"
        "LA_0079 LA_T_1271820 - A01 spoof\n"
        "LA_0080 LA_T_2000001 - A04 spoof\n"
        "\n"
        "LA_0080 LA_T_2000002 - - bonafide\n",
    ),
    "dev": ("ASVspoof2019.LA.cm.dev.trl.txt", "LA_0069 LA_D_1047731 - - bonafide\nLA_0069 LA_D_1105538 - A02 spoof\n"),
    "eval": (
        "ASVspoof2019.LA.cm.eval.trl.txt",
        "LA_0039 LA_E_2834763 - A11 spoof\nLA_0014 LA_E_8877452 - - bonafide\nLA_0039 LA_E_3000000 - A19 spoof\n",
    ),
}


@pytest.fixture
def asvspoof2019_root(tmp_path: Path) -> Path:
    """``LA/`` with the three CM protocols and their (empty) flac files."""
    root = tmp_path / "LA"
    for partition, (name, text) in ASV19_PROTOCOLS.items():
        write(root / "ASVspoof2019_LA_cm_protocols" / name, text)
        utts = [line.split()[1] for line in text.splitlines() if line.strip()]
        touch(root, [f"ASVspoof2019_LA_{partition}/flac/{utt}.flac" for utt in utts])
    return root


LA21_METADATA = (
    "LA_0009 LA_E_9332881 alaw ita_tx A07 spoof notrim eval\n"
    "LA_0009 LA_E_1000001 alaw ita_tx bonafide bonafide notrim eval\n"
    "LA_0010 LA_E_1000002 ulaw loc_tx A16 spoof notrim progress\n"
)
DF21_METADATA = (
    "LA_0043 DF_E_2000026 mp3m4a asvspoof A09 spoof notrim eval traditional_vocoder - - - -\n"
    "LA_0023 DF_E_2000011 nocodec asvspoof - bonafide notrim progress bonafide - - - -\n"
    "TEF1 DF_E_2000100 low_mp3 vcc2020 Task1-team20 spoof notrim eval neural_vocoder_autoregressive - - - -\n"
    "LA_0044 DF_E_2000200 low_ogg asvspoof A12 spoof notrim eval unknown - - - -\n"
)


@pytest.fixture
def asvspoof2021_root(tmp_path: Path) -> Path:
    """Folder with ``keys/{LA,DF}/CM/trial_metadata.txt`` and both eval flac folders."""
    root = tmp_path / "asv21"
    for track, text in (("LA", LA21_METADATA), ("DF", DF21_METADATA)):
        write(root / "keys" / track / "CM" / "trial_metadata.txt", text)
        touch(root, [f"ASVspoof2021_{track}_eval/flac/{line.split()[1]}.flac" for line in text.splitlines()])
    return root


@pytest.fixture
def wavefake_roots(tmp_path: Path) -> dict[str, Path]:
    """WaveFake's ``generated_audio`` plus LJSpeech and JSUT trees, as published."""
    wavefake = tmp_path / "wavefake"
    touch(
        wavefake / "generated_audio",
        [
            "ljspeech_melgan/LJ001-0001_gen.wav",
            "ljspeech_melgan/LJ001-0002_gen.wav",
            "ljspeech_hifiGAN/LJ001-0001_gen.wav",
            "ljspeech_waveglow/LJ001-0002_gen.wav",
            "ljspeech_waveglow/README.txt",
            "jsut_parallel_wavegan/BASIC5000_0001_gen.wav",
            "common_voices_prompts_from_conformer_fastspeech2_pwg_ljspeech/gen_0.wav",
        ],
    )
    lj = tmp_path / "corpora"
    touch(lj, ["LJSpeech-1.1/wavs/LJ001-0001.wav", "LJSpeech-1.1/wavs/LJ001-0002.wav", "LJSpeech-1.1/metadata.csv"])
    jsut = tmp_path / "jsut_ver1.1"
    touch(jsut, ["basic5000/wav/BASIC5000_0001.wav"])
    return {"root": wavefake, "ljspeech_root": lj, "jsut_root": jsut}


@pytest.fixture
def in_the_wild_root(tmp_path: Path) -> Path:
    """``release_in_the_wild`` with meta.csv and three wavs."""
    root = tmp_path / "release_in_the_wild"
    write(
        root / "meta.csv",
        "file,speaker,label\n0.wav,Alec Guinness,spoof\n1.wav,Alec Guinness,bona-fide\n2.wav,Barack Obama,bona-fide\n",
    )
    touch(root, ["0.wav", "1.wav", "2.wav"])
    return root


@pytest.fixture
def folder_root(tmp_path: Path) -> Path:
    """A hand-made ``real/`` + ``fake/`` folder with mixed media and a stray text file."""
    root = tmp_path / "my_set"
    touch(
        root,
        [
            "real/alice/a1.wav",
            "real/bob/b1.FLAC",
            "real/c.jpg",
            "real/notes.txt",
            "fake/hifigan/alice/a1.wav",
            "fake/yourtts/clip.mp4",
            "fake/loose.png",
        ],
    )
    return root


SPEECH_MANIFEST = (
    "relpath,label,generator,speaker,orig_path,sr,channels,bits,duration_s\n"
    "real/p225/p225_001.flac,real,human (VCTK),p225,x/p225_001.wav,16000,1,16,2.5\n"
    "real/p294/p294_005.flac,real,human (VCTK),p294,x/p294_005.wav,16000,1,16,1.5\n"
    'fake/vc/F-F_p225_to_p294_sample_p294_005.flac,fake,"YourTTS zero-shot voice conversion (EN-EN)",'
    "p225,x/g.wav,16000,1,16,1.25\n"
    "fake/tts/p300_001.flac,fake,Tacotron2 + HiFi-GAN,p300,x/t.wav,22050,1,24 (from 32-bit wav),3.0\n"
)
NO_SPEAKER_MANIFEST = (
    "relpath,label,generator,speaker,orig_path,sr,channels,bits,duration_s\n"
    "real/ss/ss_gt_1.flac,real,human (LJSpeech),,a.wav,22050,1,16,1.0\n"
    "real/ss/ss_gt_2.flac,real,human (LJSpeech),,b.wav,22050,1,16,1.0\n"
    "fake/ss/WN/ss_wn_1.flac,fake,WaveNet (MoL) vocoder copy-synthesis,,c.wav,22050,1,16,1.0\n"
    "fake/ss/WG/ss_wg_2.flac,fake,WaveGlow vocoder copy-synthesis,,d.wav,22050,1,16,1.0\n"
)
FACES_MANIFEST = (
    "relpath,label,generator,identity,width,height\n"
    "real/src.jpg,real,human photo,person_a,256,256\n"
    "real/tgt.jpg,real,human photo,person_b,256,256\n"
    "fake/swap.jpg,fake,SomeSwap,src=person_a;tgt=person_b,256,256\n"
    "real/anon.jpg,real,human photo,,100,100\n"
)


@pytest.fixture
def shared_root(tmp_path: Path) -> Path:
    """A miniature shared-data root: two speech sources and one faces source."""
    root = tmp_path / "data"
    write(root / "speech" / "pairs" / "manifest.csv", SPEECH_MANIFEST)
    write(root / "speech" / "demo" / "manifest.csv", NO_SPEAKER_MANIFEST)
    write(root / "faces" / "swaps" / "manifest.csv", FACES_MANIFEST)
    write(root / "speech" / "README.md", "not a source\n")
    (root / "speech" / "no_manifest_yet").mkdir()
    return root
