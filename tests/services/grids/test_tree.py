"""The grid tree as text, after a partition on the real database."""

from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import Role
from models.grid_tree import grid_tree
from models.tables import TelegramBinding
from services.grids.partition.run import partition
from services.grids.tree import render_tree
from tests.services.grids.world import IND, SERVICE, TRADE, World


async def test_render_tree_shows_counts_per_node_and_totals(session: AsyncSession) -> None:
    world = World(session)
    hongqiao = await world.town("虹桥镇")
    liushi = await world.town("柳市镇")
    keeper = await world.person("统计员甲")
    bound = await world.person("统计员乙")
    assert bound.id is not None
    session.add(TelegramBinding(person_id=bound.id, telegram_user_id=42))
    await world.enterprises(hongqiao, IND, 18, statistician=keeper)
    await world.enterprises(hongqiao, TRADE, 2, statistician=bound)
    head = await world.person("张三")
    await world.assign(head, hongqiao, Role.GRID_HEAD)
    await session.commit()
    await partition(session=session)
    # Added after the partition: still unplaced.
    await world.enterprises(liushi, SERVICE, 3)
    await session.commit()

    text = render_tree(await grid_tree(session=session))

    assert text.splitlines() == [
        "乐清市：2 个乡镇（街道），1 个网格，调查对象 23 家（未划分 3 家），"
        "网格员 2 人（已绑定 1 人）",
        "├─ 柳市镇：0 个网格，调查对象 3 家（未划分 3 家），网格员 0 人（已绑定 0 人）",
        "│     未划分：服务业 3",
        "└─ 虹桥镇：1 个网格，调查对象 20 家（未划分 0 家），网格员 2 人（已绑定 1 人）",
        "   └─ 虹桥镇·工业网格1：20 家（工业 18，贸易 2），网格员 2 人（已绑定 1 人）",
        "         网格长：张三",
    ]
