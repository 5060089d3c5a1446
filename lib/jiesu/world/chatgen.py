"""Composition of synthetic community-chat messages: templates × slots × paraphrases × typos.

A message is assembled from phrase pools (problem, place, time, request, particles, emoji) that are
picked with Zipf-like weights (the first entries of a pool are the commonest), so word frequencies
in the generated corpus follow the heavy-tailed curve of real chats and words co-occur inside
categories the way residents' reports do.  The pools are deliberately much richer than
``jiesu.categories`` lexicons (which topic *labelling* uses): analyses must not be able to recover
the categories by string-matching the generator's vocabulary.

Noise is applied last: homophone/habitual typos (的→得, 在→再), Traditional characters (OpenCC
s2t), half-/full-width punctuation, emoji, and ``@name`` mentions with WeChat's U+2005 space.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

import numpy as np

MENTION_SPACE = "\u2005"

# --------------------------------------------------------------------------------------------------
# Issue vocabularies: problems, extra places, requests and staff replies per category.
# --------------------------------------------------------------------------------------------------

PROBLEMS: dict[str, tuple[str, ...]] = {
    "heating": (
        "暖气不热",
        "暖气片冰凉",
        "屋里才十五六度",
        "暖气温乎乎的一点不热",
        "暖气漏水了",
        "暖气片往下滴水",
        "管子接口漏水",
        "阀门拧不动",
        "跑风门坏了",
        "暖气里哗哗响",
        "回水管是凉的",
        "暖气上面热下面凉",
        "家里冷得穿棉袄",
        "老人在家冻得受不了",
        "暖气片里有气",
        "水温太低",
        "卧室的暖气不热",
        "供暖都一个礼拜了还是凉的",
        "暖气片爆了水淌一地",
        "立管冰凉",
    ),
    "flood": (
        "雨篦子堵了",
        "楼门口积水了",
        "下水道往上返水",
        "顶层漏雨",
        "屋顶渗水",
        "墙皮都泡了",
        "雨水灌进楼道了",
        "地下室进水了",
        "路边的雨篦子让树叶堵死了",
        "积水都没过脚面了",
        "防雨层老化了",
        "天花板往下滴水",
        "楼前一下雨就成河",
        "雨篦子盖子丢了",
        "排水沟不走水",
        "顶楼卫生间漏雨",
    ),
    "wind": (
        "大风把花盆刮下来了",
        "阳台上的东西要掉",
        "窗户玻璃松了",
        "空调外机晃得厉害",
        "广告牌让风吹得哗哗响",
        "树枝被刮断了",
        "楼顶的彩钢板快掉了",
        "差点砸到人",
        "楼上往下掉东西",
        "晾衣架被风吹下来了",
        "外墙保温层要掉",
        "雨棚被风掀起来了",
        "窗框松动了",
        "楼顶的瓦片刮下来了",
    ),
    "garbage": (
        "垃圾桶满了没人清",
        "厨余垃圾桶味道太大",
        "桶站周边特别脏",
        "垃圾不分类乱扔",
        "清运不及时",
        "大件垃圾堆在楼下",
        "不知道厨余和其他垃圾怎么分",
        "垃圾桶盖子坏了",
        "苍蝇蚊子太多",
        "桶站没有洗手的地方",
        "有人把垃圾扔桶外边",
        "装修垃圾没人拉",
        "误时投放没人管",
        "桶站挪得太远了",
    ),
    "epidemic": (
        "返京要不要隔离",
        "出入证在哪办",
        "门口测温什么时候撤",
        "快递能不能进小区",
        "口罩哪能买到",
        "外地租户回来了没登记",
        "健康宝弹窗了怎么办",
        "居家观察的垃圾怎么处理",
        "核酸在哪做",
        "小区只开一个门太绕了",
        "外卖只能放门口吗",
        "从湖北回来的要报备吗",
        "体温计哪能领",
        "有人不戴口罩在楼道里",
        "志愿者值班怎么报名",
    ),
    "lighting": (
        "楼道灯不亮了",
        "声控灯坏了",
        "三楼的灯泡烧了",
        "晚上楼道黑漆漆的",
        "灯一直亮着不灭",
        "开关坏了",
        "老人上楼看不见",
        "单元门口的灯不亮",
        "楼道灯一闪一闪的",
        "五楼到六楼没有灯",
        "灯罩掉下来了",
        "电线露在外面",
    ),
    "parking": (
        "车被堵了",
        "有人乱停车",
        "车棚的台阶太高",
        "电动车在楼道里充电",
        "车位被占了",
        "停车证怎么办",
        "外来车辆停进来了",
        "车棚里的灯坏了",
        "僵尸车占地方",
        "消防通道被堵了",
        "飞线充电太危险",
        "车棚门锁坏了",
        "地锁把路挡了",
        "自行车没地方放",
    ),
    "noise": (
        "楼上装修太吵",
        "早上七点就开始砸墙",
        "广场舞音响太大",
        "半夜施工",
        "楼下的狗一直叫",
        "晚上有人喝酒吵闹",
        "电钻声受不了",
        "楼上半夜拖椅子",
        "周末一大早就装修",
        "KTV音响震得慌",
        "空调外机嗡嗡响",
        "孩子练琴到十一点",
    ),
    "vendors": (
        "门口有摆摊卖菜的",
        "小贩占道",
        "流动商贩堵门口",
        "早市的摊子把路堵了",
        "卖水果的三轮车堵着",
        "无照的烧烤摊油烟太大",
        "路边卖衣服的",
        "有人在门口卖假药",
        "修车摊占了人行道",
        "晚上大排档吵得睡不着",
        "卖菜的把垃圾扔一地",
    ),
    "security": (
        "单元门禁坏了",
        "单元门锁关不上",
        "有陌生人挨家敲门",
        "电动车电瓶被偷了",
        "自行车丢了",
        "监控是不是坏了",
        "有人往门上贴小广告",
        "可疑的人在楼道里转悠",
        "快递被人拿走了",
        "有人冒充燃气公司的上门",
        "地下室的门被撬了",
        "晚上有人翻墙进来",
    ),
}

PLACES: dict[str, tuple[str, ...]] = {
    "flood": ("楼门口", "楼前的路上", "小区南门", "车棚那边", "顶层", "地下室"),
    "wind": ("楼前", "阳台外边", "楼顶", "小区主路上", "单元门口"),
    "garbage": ("桶站", "楼下", "南门桶站", "车棚边上"),
    "vendors": ("小区南门", "北门口", "东门外", "菜市场边上", "小区门口", "路口"),
    "parking": ("楼下", "车棚", "楼前", "消防通道", "南门里边"),
    "security": ("楼道里", "单元门口", "车棚", "地下室", "楼下"),
    "noise": ("楼上", "隔壁", "小广场", "楼下", "对面楼"),
}

WHEN = (
    "今天",
    "刚才",
    "今天早上",
    "昨天晚上",
    "这两天",
    "好几天了",
    "从周一开始",
    "一直",
    "这几天",
    "一大早",
    "半夜",
    "每天晚上",
    "今天下午",
    "上礼拜开始",
    "又",
)

REQUESTS: dict[str, tuple[str, ...]] = {
    "_": (
        "麻烦给看看",
        "请帮忙处理一下",
        "能不能派人来看看",
        "怎么回事啊",
        "什么时候能解决",
        "赶紧给解决吧",
        "有没有人管啊",
        "谢谢了",
        "辛苦帮忙协调一下",
        "大家有遇到的吗",
        "麻烦园园反映一下",
        "急！",
        "能给个说法吗",
        "希望尽快处理",
        "都说了好几次了",
    ),
    "heating": (
        "麻烦供热的师傅来看看",
        "能不能派人来放放气",
        "什么时候能热起来",
        "请帮忙联系热力公司",
        "赶紧给修修吧",
    ),
    "flood": ("雨篦子得赶紧掏掏", "请物业来抽抽水", "顶楼的防雨层该修了", "下次下雨又得淹"),
    "wind": ("太危险了得赶紧固定", "请物业上去看看", "路过的人注意安全"),
    "garbage": ("请物业多清运几趟", "桶站得好好冲洗", "希望有人指导一下"),
    "epidemic": ("请社区给个准信儿", "在哪登记啊", "需要准备什么材料"),
    "lighting": ("麻烦给换个灯泡", "请电工来看看"),
    "parking": ("车主赶紧挪车", "请物业管管", "能不能给车棚做个坡道"),
    "noise": ("请民警管管", "影响休息了", "能不能跟他们说说"),
    "vendors": ("请城管来看看", "照片发群里了", "天天这样"),
    "security": ("请民警来看看", "大家注意看好自家东西", "门禁得赶紧修"),
}

REPLIES: dict[str, tuple[str, ...]] = {  # by the responder's role
    "物业维修": (
        "收到，马上安排师傅过去",
        "好的，我这就过去看看",
        "收到，下午两点前到",
        "您家几楼？我这就上去",
        "收到，带上工具马上到",
        "好的，午饭后过去",
    ),
    "物业经理": (
        "收到，已经派单了",
        "好的，马上安排人处理",
        "收到，物业马上处理",
        "已经通知维修班了，稍等",
        "收到，这事我盯着",
    ),
    "物业保洁": ("收到，马上清理", "好的，这就安排保洁过去", "收到，今天加一趟清运", "好的，马上过去收拾"),
    "供热维修": (
        "收到，师傅一会儿上门，家里留人",
        "好的，下午上门给放放气",
        "收到，已经协调热力站",
        "请留一下门牌号，马上安排",
        "收到，今天之内上门",
    ),
    "社区民警": (
        "收到，我们马上过去看看",
        "已经通知巡逻的同事了",
        "收到，这就去现场",
        "好的，已经联系当事人",
        "收到，注意保护现场",
    ),
    "城管队员": ("收到，城管队员马上到", "好的，这就去现场处置", "收到，已经安排巡查", "收到，马上过去"),
    "社工": (
        "收到，已经转给{who}了",
        "好的，我们马上跟进",
        "收到，我记下来了，一会儿给您回话",
        "谢谢反映，马上联系{who}",
        "收到，园园这就去协调",
        "好的，已经跟{who}说了",
    ),
}
WHO = {
    "heating": "供热的师傅",
    "flood": "物业",
    "wind": "物业",
    "garbage": "物业保洁",
    "epidemic": "值班的同事",
    "lighting": "物业电工",
    "parking": "物业",
    "noise": "社区民警",
    "vendors": "城管",
    "security": "社区民警",
}
ANSWERS = {  # 社工's answers to the epidemic questions of PROBLEMS["epidemic"]
    "返京要不要隔离": "返京人员先到居委会登记，居家观察14天",
    "出入证在哪办": "出入证在南门值班室办，带上身份证和租房合同",
    "门口测温什么时候撤": "测温要等上级通知，目前还要坚持",
    "快递能不能进小区": "快递外卖放门口货架，自己去取",
    "口罩哪能买到": "社区有少量口罩发放，老人优先",
    "外地租户回来了没登记": "谢谢提醒，我们马上上门登记",
    "健康宝弹窗了怎么办": "健康宝弹窗的可以到居委会开证明",
    "居家观察的垃圾怎么处理": "居家观察的垃圾我们每天上门收",
    "核酸在哪做": "核酸到社区卫生站，早八点开始",
    "小区只开一个门太绕了": "理解大家，防控期间先只开南门",
    "外卖只能放门口吗": "外卖放门口货架，自己去取",
    "从湖北回来的要报备吗": "需要报备，请马上联系居委会",
    "体温计哪能领": "体温计可以到居委会领",
    "有人不戴口罩在楼道里": "我们去提醒一下，大家也互相提醒",
    "志愿者值班怎么报名": "志愿者报名在群里接龙就行",
}
REPORT_GREETINGS = ("各位邻居好", "大家好", "你好", "园园你好", "打扰一下", "麻烦问一下")

CLOSES: dict[str, tuple[str, ...]] = {
    "heating": (
        "暖气修好了，师傅放了气，现在热了",
        "阀门换好了",
        "漏水的地方已经处理好了",
        "热力站调过了，大家再试试",
        "暖气片换了新的",
    ),
    "flood": (
        "雨篦子已经掏干净了",
        "积水已经抽完了",
        "顶层防雨层已经补好了",
        "下水道已经疏通了",
        "排水沟清理完了",
    ),
    "wind": ("已经加固好了", "松动的东西已经拆下来了", "现场已经清理，拉了警戒线", "彩钢板已经固定"),
    "garbage": ("已经清运走了", "桶站已经冲洗干净", "已经增加了清运次数", "桶盖已经换新的了"),
    "epidemic": ("已经登记好了", "已经给您送过去了", "已经跟门岗说了", "已经安排志愿者了"),
    "lighting": ("新灯泡已经换上了", "声控灯修好了", "线路已经检修完", "楼道灯全换成新的了"),
    "parking": ("坡道已经做好了", "车已经挪走了", "已经联系车主挪车了", "车棚的灯修好了", "飞线已经拆了"),
    "noise": ("已经跟装修的住户沟通了，按规定时间施工", "已经劝离了", "音响已经调小了", "已经协调好了"),
    "vendors": ("摊贩已经劝离", "占道的摊位已经清理了", "已经依法处置", "已经跟商户说好了"),
    "security": ("门禁已经修好了", "已经加强巡逻了", "已经调了监控", "已经贴了防诈骗提示", "门锁换好了"),
}
CLOSE_TAILS = ("，大家看一下", "，有问题再说", "，请大家监督", "", "", "，现场照片")

THANKS = (
    "太好了，辛苦了！",
    "谢谢园园👍",
    "效率真高",
    "这下方便了，感谢物业",
    "谢谢师傅们🙏",
    "点赞👍👍",
    "辛苦了辛苦了",
    "真快啊，谢谢",
    "给你们点个赞",
    "谢谢！这下放心了",
    "太感谢了",
    "好的，谢谢",
    "这回踏实了",
    "这么快就弄好了，辛苦",
    "园园真给力",
)

METOO = (
    "我家也是",
    "+1",
    "我们单元也这样",
    "同问",
    "楼上也一样",
    "对，我家也是这情况",
    "不止一家了",
    "我们这边也有",
    "好几家都这样",
    "早就该管管了",
)

# --------------------------------------------------------------------------------------------------
# Everyday chatter.
# --------------------------------------------------------------------------------------------------

GREETINGS = (
    "早上好",
    "大家早",
    "早安",
    "各位邻居好",
    "晚上好",
    "中午好",
    "周末愉快",
    "大家好",
    "早",
    "各位早上好",
    "下午好",
    "节日快乐",
)
WEATHER = (
    "降温了",
    "今天真热",
    "下雨了",
    "风挺大",
    "雾霾挺重",
    "天气不错",
    "出太阳了",
    "闷得慌",
    "下雪了",
    "今儿凉快",
    "天儿真好",
    "又要下雨",
)
ADVICE = (
    "出门多穿点",
    "注意防暑",
    "记得带伞",
    "大家注意安全",
    "适合出去走走",
    "老人少出门",
    "多喝水",
    "注意保暖",
    "别忘了收衣服",
)
MARKETS = ("早市", "超市", "菜市场", "楼下小卖部", "团购", "物美", "南门菜店", "周末大集")
FOODS = (
    "西红柿",
    "黄瓜",
    "鸡蛋",
    "韭菜",
    "豆角",
    "猪肉",
    "带鱼",
    "苹果",
    "西瓜",
    "草莓",
    "大白菜",
    "土豆",
    "香椿",
    "茄子",
    "豆腐",
    "牛奶",
    "馒头",
    "桃子",
    "葡萄",
    "芹菜",
    "羊肉",
    "饺子皮",
)
FOOD_COMMENTS = (
    "挺新鲜的",
    "便宜了",
    "涨价了",
    "才三块五一斤",
    "特别甜",
    "排队的人老多了",
    "今天打折",
    "不太好",
    "卖完了",
    "买一送一",
)
WHEN_LATER = ("明天上午", "周六下午", "今晚七点", "下周三", "明天九点", "这周五", "周日上午", "后天下午")
VENUES = ("活动室", "小广场", "社区会议室", "党群服务中心", "居委会", "楼前空地", "社区卫生站")
ACTIVITIES = (
    "有合唱排练",
    "有书法课",
    "免费量血压",
    "有义诊",
    "放电影",
    "有手工课",
    "包饺子",
    "练太极拳",
    "有防诈骗讲座",
    "有理发志愿服务",
    "开居民议事会",
    "有智能手机培训",
    "发放宣传材料",
    "有垃圾分类讲座",
    "磨剪子修伞",
    "给老人做体检",
)
INVITES = (
    "欢迎大家参加",
    "有兴趣的报名",
    "记得带水杯",
    "名额有限",
    "接龙报名",
    "带上身份证",
    "不见不散",
    "先到先得",
)
KIN = ("我孙子", "我家闺女", "小孙女", "老伴", "儿子", "外孙", "我家老头", "我家姑娘", "邻居家小孩")
KIN_EVENTS = (
    "今天放假回来了",
    "考上大学了",
    "感冒了",
    "去上学了",
    "会走路了",
    "说要来看我",
    "出差去了",
    "学会包饺子了",
    "期末考得不错",
    "给我买了新手机",
)
QUESTIONS = (
    "谁知道附近哪有修鞋的",
    "哪里能配钥匙",
    "社区医院几点开门",
    "老年卡在哪办",
    "谁家有多余的花盆",
    "附近有没有修手机的",
    "水费在哪交",
    "燃气卡在哪充值",
    "有没有推荐的小时工",
    "谁会用健康宝",
    "养老助残卡怎么激活",
    "哪有修自行车的",
    "有人去大集吗",
    "谁知道这周末停不停水",
    "医保报销去哪办",
)
LOST = ("钥匙", "一把伞", "公交卡", "小孩的外套", "眼镜", "一个手套", "门禁卡", "老年卡")
LOST_WHERE = ("在车棚捡到的", "放传达室了", "在楼下长椅上", "谁的来认领", "在南门捡到", "找我拿")
SHORT = (
    "收到",
    "好的",
    "谢谢",
    "哈哈",
    "赞",
    "支持",
    "同意",
    "对",
    "是啊",
    "辛苦了",
    "明白",
    "知道了",
    "好",
    "哈哈哈",
    "嗯嗯",
    "可以",
    "真好",
    "厉害",
    "没问题",
    "谢谢大家",
    "好嘞",
    "感谢",
    "棒",
    "+1",
    "同感",
    "说得对",
    "有道理",
    "太好了",
    "没事",
    "不客气",
)
HEALTH = (
    "夏天喝水的五个误区",
    "老年人防跌倒小常识",
    "降压药什么时候吃最好",
    "这些食物千万不能一起吃",
    "冬季养生三件事",
    "防诈骗：这几种电话别接",
    "膝盖疼的人注意了",
    "每天走多少步最合适",
    "高血压患者的饮食",
    "医保新政策解读",
    "打太极的好处",
)
EMOJI = (
    "👍",
    "🙏",
    "😊",
    "🌹",
    "😄",
    "👏",
    "💪",
    "❤️",
    "😂",
    "🌸",
    "☀️",
    "🤝",
    "😭",
    "🎉",
    "[强]",
    "[玫瑰]",
    "[握手]",
    "[微笑]",
    "[抱拳]",
    "[呲牙]",
)
PARTICLES = ("", "", "", "啊", "呀", "了", "吧", "哈", "呢", "哦", "啦", "！", "。", "～", "!!", "。。。")

# Typing habits: (from, to) replacements applied to a few messages.
TYPOS = (
    ("的", "得"),
    ("在", "再"),
    ("那", "哪"),
    ("做", "作"),
    ("已经", "以经"),
    ("账", "帐"),
    ("吗", "嘛"),
    ("辛苦", "幸苦"),
    ("一下", "一夏"),
)


# Small talk about anything: the long tail of the vocabulary comes from jieba's own dictionary
# (common nouns, verbs and adjectives weighted by corpus frequency), so rare words are many and
# each is rare, as in real chats.
FREE_TALK = (
    "{n}的事儿有人知道吗",
    "今天看了个讲{n}的视频，挺有意思",
    "有人懂{n}吗？请教一下",
    "{n}和{n2}哪个好",
    "{n}的问题我也想问",
    "说到{n}，我想起以前的事了",
    "电视上刚说了{n}的新闻",
    "刚听广播在讲{n}",
    "孙子最近对{n}感兴趣",
    "{n}这个事儿我觉得挺{a}的",
    "我说的是{n}，不是{n2}",
    "关于{n}，大家怎么看",
    "群里有没有懂{n}的",
    "报纸上登了篇{n}的文章",
    "这个{n}挺{a}的",
    "大家对{n}怎么看？我觉得挺{a}",
    "老年大学下学期开{n}课",
    "以前单位也讲过{n}",
    "{n}的书谁有，借我看看",
    "那个讲{n}的节目真{a}",
)
_AVOID = set(
    "死尸杀毒淫赌奸婚癌尿屎屁妓嫖娼婊裸色性阴乳睾卵精枪弹炸炮贼鬼魔邪神佛教党政军兵战敌恐叛官府帝皇臣卿爵犯罪狱刑囚贪腐葬坟丧血病患疫"
)


@lru_cache(maxsize=1)
def everyday_words() -> dict[str, tuple[tuple[str, ...], list[float]]]:
    """Words of jieba's dictionary by part of speech (``n``, ``a``) with cumulative sampling
    weights ∝ frequency^0.8; words overlapping the issue vocabularies, and grim, sexual, military or
    political words, are left out (small talk must neither leak categories nor offend)."""
    import jieba

    from jiesu.categories import CATEGORIES

    issue_terms = {t for c in CATEGORIES for t in c.lexicon} | {t for pool in PROBLEMS.values() for t in pool}
    pools: dict[str, list[tuple[str, int]]] = {"n": [], "a": []}
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) != 3 or parts[2] not in pools or not 2 <= len(parts[0]) <= 3:
                continue
            freq = int(parts[1])
            word = parts[0]
            if (
                30 <= freq <= 20000
                and not (set(word) & _AVOID)
                and not any(term in word or word in term for term in issue_terms)
            ):
                pools[parts[2]].append((word, freq))
    out = {}
    for tag, words in pools.items():
        words.sort(key=lambda wf: (-wf[1], wf[0]))
        weights = [f**0.8 for _, f in words]
        total = sum(weights)
        out[tag] = (tuple(w for w, _ in words), list(accumulate(w / total for w in weights)))
    return out


def _zipf_cum(pool: tuple[str, ...], exponent: float = 1.5) -> list[float]:
    weights = [1.0 / (i + 1.5) ** exponent for i in range(len(pool))]
    total = sum(weights)
    return list(accumulate(w / total for w in weights))


class Composer:
    """Compose message texts from a numpy ``Generator``.

    Draws come from a pre-filled buffer of uniforms (refilled from ``rng``), which keeps composing
    300k messages in pure Python fast while staying fully determined by the seed.
    """

    def __init__(self, rng: np.random.Generator, *, to_traditional=None, free_talk: float = 0.5):
        self._rng = rng
        self.free_talk = free_talk
        self._buffer = rng.random(1 << 16)
        self._next = 0
        self._cums: dict[int, list[float]] = {}
        self._to_traditional = to_traditional
        self.last_problem = ""

    # ------------------------------------------------------------------ draws
    def u(self) -> float:
        if self._next >= len(self._buffer):
            self._buffer = self._rng.random(1 << 16)
            self._next = 0
        value = self._buffer[self._next]
        self._next += 1
        return float(value)

    def pick(self, pool: tuple[str, ...]) -> str:
        """Uniform pick."""
        return pool[int(self.u() * len(pool))]

    def zpick(self, pool: tuple[str, ...]) -> str:
        """Zipf-weighted pick: earlier entries are more frequent."""
        cum = self._cums.get(id(pool))
        if cum is None:
            cum = self._cums[id(pool)] = _zipf_cum(pool)
        return pool[min(bisect_right(cum, self.u()), len(pool) - 1)]

    # ------------------------------------------------------------------ issue threads
    def report(self, category: str, place: str, *, mention: str = "", terms: tuple[str, ...] = ()) -> str:
        """A resident's report of a problem of ``category`` at ``place`` (e.g. "6号楼3单元")."""
        problem = self.pick(terms) if terms and self.u() < 0.7 else self.zpick(PROBLEMS[category])
        if len(problem) <= 3:  # a bare burst keyword becomes a phrase
            problem += self.pick(("的事", "的问题", "又出问题了", "那块儿不行了"))
        self.last_problem = problem
        request = self.zpick(REQUESTS[category]) if self.u() < 0.5 else self.zpick(REQUESTS["_"])
        if category == "epidemic":  # mostly questions to the community
            form = int(self.u() * 4)
            text = (
                f"请问{problem}？"
                if form == 0
                else f"{self.zpick(REPORT_GREETINGS)}，{problem}？"
                if form == 1
                else f"{problem}？{request}"
                if form == 2
                else f"想问一下{problem}"
            )
        else:
            if category in PLACES and self.u() < 0.4:
                place = (
                    place + self.zpick(PLACES[category]) if self.u() < 0.5 else self.zpick(PLACES[category])
                )
            when = self.zpick(WHEN)
            form = int(self.u() * 6)
            if form == 0:
                text = f"{place}{when}{problem}，{request}"
            elif form == 1:
                text = f"{when}{problem}{self.zpick(PARTICLES)}，{place}的，{request}"
            elif form == 2:
                text = f"{problem}{self.zpick(PARTICLES)}，{request}"
            elif form == 3:
                text = f"{place}{problem}，{request}"
            elif form == 4:
                text = f"{place}{problem}，{when}就这样，{request}"
            else:
                text = (
                    f"{problem}！{problem}！{request}"
                    if self.u() < 0.2
                    else f"{self.zpick(REPORT_GREETINGS)}，{place}{problem}"
                )
        if self.u() < 0.02:  # some residents leave a number for the repairman
            text += f"，我电话{self.phone()}"
        if mention:
            text = (
                f"@{mention}{MENTION_SPACE}{text}" if self.u() < 0.7 else f"{text} @{mention}{MENTION_SPACE}"
            )
        return self.noise(text, emoji=0.2)

    def phone(self) -> str:
        return "1" + "3589"[int(self.u() * 4)] + str(int(self.u() * 10)) + "00" + f"{int(self.u() * 1e6):06d}"

    def metoo(self, category: str, place: str) -> str:
        text = self.zpick(METOO)
        if self.u() < 0.5:
            text += f"，{place}{self.zpick(PROBLEMS[category])}"
        return self.noise(text, emoji=0.15)

    def reply(self, role: str, category: str, reporter: str = "") -> str:
        """The first staff answer, in the words of the responder's ``role`` (社工 for 园园)."""
        if category == "epidemic" and self.last_problem in ANSWERS and self.u() < 0.8:
            text = self.pick(("您好，", "", "居民朋友，")) + ANSWERS[self.last_problem]
        else:
            text = self.zpick(REPLIES.get(role, REPLIES["社工"])).format(who=WHO[category])
        if reporter and self.u() < 0.5:
            text = f"@{reporter}{MENTION_SPACE}{text}"
        return self.noise(text, emoji=0.1, typo=0.01)

    def close(self, category: str) -> str:
        return self.noise(self.zpick(CLOSES[category]) + self.pick(CLOSE_TAILS), emoji=0.2, typo=0.0)

    def thanks(self, *, plain: bool = False) -> str:
        """Thanks after a repair; ``plain`` for an answered question (no praise of repair speed)."""
        if plain:
            return self.noise(
                self.zpick(
                    (
                        "好的，谢谢",
                        "明白了，谢谢",
                        "谢谢园园👍",
                        "知道了，辛苦了",
                        "感谢",
                        "好的好的",
                        "收到，谢谢社区",
                    )
                ),
                emoji=0.2,
            )
        text = self.zpick(THANKS)
        if self.u() < 0.3:
            text = self.zpick(("物业", "师傅", "园园", "社区", "民警同志", "大家")) + text
        return self.noise(text, emoji=0.3)

    # ------------------------------------------------------------------ chatter
    def chatter(self, hour: int) -> str:
        """An everyday message (greeting, weather, groceries, activities, family, questions, replies)."""
        roll = self.u()
        if roll < 0.22:
            text = self.zpick(SHORT)
            if self.u() < 0.75:
                text += self.zpick(PARTICLES) + (self.zpick(EMOJI) if self.u() < 0.5 else "")
            if self.u() < 0.45:
                text = self.zpick(SHORT) + self.pick(("，", " ", "！", "")) + text
        elif roll < 0.34:
            greeting = (
                self.zpick(("早上好", "大家早", "早安", "早", "各位早上好"))
                if hour < 11
                else self.zpick(GREETINGS)
            )
            text = greeting + self.zpick(EMOJI) + (f"，{self.zpick(WEATHER)}" if self.u() < 0.5 else "")
        elif roll < 0.46:
            text = f"{self.zpick(WEATHER)}，{self.zpick(ADVICE)}{self.zpick(PARTICLES)}"
        elif roll < 0.58:
            text = f"{self.zpick(MARKETS)}的{self.zpick(FOODS)}{self.zpick(FOOD_COMMENTS)}{self.zpick(PARTICLES)}"
        elif roll < 0.68:
            text = (
                f"{self.zpick(WHEN_LATER)}{self.zpick(VENUES)}{self.zpick(ACTIVITIES)}，{self.zpick(INVITES)}"
            )
        elif roll < 0.76:
            text = f"{self.zpick(KIN)}{self.zpick(KIN_EVENTS)}{self.zpick(PARTICLES)}"
        elif roll < 0.86:
            lead = self.pick(("请问", "问一下", "打听一下，", "", "各位，", "邻居们，"))
            text = f"{lead}{self.pick(QUESTIONS)}{self.pick(('？', '？谢谢', '啊？', '', '呀', '？🙏'))}"
        elif roll < 0.9:
            text = f"谁丢了{self.zpick(LOST)}，{self.zpick(LOST_WHERE)}"
        elif roll < 0.95:
            text = (
                self.pick(("【转发】", "转发：", "", "分享一篇：", "【健康】"))
                + self.pick(HEALTH)
                + self.pick(("", "", "，大家看看", "，有用", "👍", "，老人们注意"))
            )
        else:
            text = f"{self.zpick(SHORT)}，{self.zpick(WEATHER)}，{self.zpick(KIN)}{self.zpick(KIN_EVENTS)}"
        if self.u() < self.free_talk:
            text = self.free() if self.u() < 0.7 else text.rstrip("，。！？,.!?～~") + "，" + self.free()
        return self.noise(text, emoji=0.15)

    def word(self, tag: str) -> str:
        words, cum = everyday_words()[tag]
        return words[min(bisect_right(cum, self.u()), len(words) - 1)]

    def free(self) -> str:
        """Small talk about anything, filled from :func:`everyday_words`."""
        template = self.pick(FREE_TALK)
        return template.format(n=self.word("n"), n2=self.word("n"), a=self.word("a"))

    def announcement(self, category: str | None = None) -> str:
        """A staff notice (activities; campaign notices for 疫情防控 / 垃圾分类)."""
        if category == "epidemic":
            body = self.zpick(
                (
                    "请返京人员主动到居委会登记",
                    "出入请佩戴口罩、配合测温",
                    "快递外卖一律放在门口货架",
                    "出入证请到南门值班室办理",
                    "居家观察人员请勿外出",
                    "请大家不信谣不传谣",
                )
            )
        elif category == "garbage":
            body = self.zpick(
                (
                    "5月1日起垃圾分类正式实施",
                    "厨余垃圾请破袋投放",
                    "桶站早晚各有志愿者值守",
                    "分类指导员每天早7点到9点在桶站",
                    "请不要把垃圾放在桶站外",
                )
            )
        else:
            body = (
                f"{self.zpick(WHEN_LATER)}{self.zpick(VENUES)}{self.zpick(ACTIVITIES)}，{self.zpick(INVITES)}"
            )
        if self.u() < 0.3:  # the formal, multi-line layout copied from the 居委会's notices
            return f"【通知】\n各位居民：\n    {body}。\n{self.pick(('社区居委会', '园园', '社区党委'))}"
        return f"【通知】{body}" + ("，谢谢配合" if self.u() < 0.4 else "")

    # ------------------------------------------------------------------ noise
    def noise(
        self,
        text: str,
        *,
        emoji: float = 0.1,
        typo: float = 0.03,
        traditional: float = 0.03,
        halfwidth: float = 0.08,
    ) -> str:
        if self.u() < emoji:
            text += self.pick(EMOJI) * (1 + int(self.u() < 0.2))
        if self.u() < typo:
            correct, mistyped = TYPOS[int(self.u() * len(TYPOS))]
            text = text.replace(correct, mistyped, 1)
        if self.u() < halfwidth:
            text = text.replace("，", ",").replace("？", "?").replace("！", "!")
        if self._to_traditional is not None and self.u() < traditional:
            text = self._to_traditional(text)
        return text
