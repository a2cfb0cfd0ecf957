<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Canvas</name>
    <message>
        <location filename="../../studio/ui/canvas.py" line="67" />
        <source>img2img</source>
        <extracomment>From this zoom on (device pixels per image pixel) pixels are drawn as squares. The "Send to" menu: (label, task); img2video is routed to the video modality.</extracomment>
        <translation>图生图</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="68" />
        <source>Inpaint</source>
        <translation>局部重绘</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="69" />
        <source>Upscale</source>
        <translation>放大</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="70" />
        <source>Video (img2video)</source>
        <translation>视频（图生视频）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="362" />
        <source>Outputs of the job</source>
        <extracomment>emitted with (Artifact, task) for Send to img2img / inpaint / upscale / img2video a one-line message for the status bar</extracomment>
        <translation>本次任务的输出</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="376" />
        <source>Drag to compare: the parent on the left, this output on the right</source>
        <translation>拖动以对比：左侧为原图，右侧为本次输出</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="378" />
        <source>Compare split</source>
        <translation>对比分割线</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="382" />
        <source>Image details</source>
        <translation>图像信息</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="422" />
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="423" />
        <source>Fit the image in the view</source>
        <translation>让图像适应视图</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="425" />
        <source>Actual size</source>
        <translation>实际大小</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="426" />
        <source>One image pixel on one screen pixel</source>
        <translation>一个图像像素对应一个屏幕像素</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="429" />
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="432" />
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="440" />
        <source>Batch</source>
        <translation>批次</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="441" />
        <source>Back to all outputs of the job</source>
        <translation>返回本次任务的全部输出</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="443" />
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="444" />
        <source>Compare with the image this one was made from</source>
        <translation>与生成它的原图对比</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="446" />
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="447" />
        <source>Copy the image to the clipboard</source>
        <translation>将图像复制到剪贴板</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="448" />
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="449" />
        <source>Save a copy of the file, with its metadata</source>
        <translation>保存文件副本（含元数据）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="450" />
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="451" />
        <source>Show the file in its folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="456" />
        <source>Start {task} from this image</source>
        <translation>以此图像开始{task}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="457" />
        <source>Paint mask</source>
        <translation>绘制蒙版</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="458" />
        <source>Paint the parts inpaint should repaint</source>
        <translation>涂出需要局部重绘的区域</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="462" />
        <source>Zoom</source>
        <translation>缩放</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="467" />
        <source>Canvas</source>
        <translation>画布</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="479" />
        <location filename="../../studio/ui/canvas.py" line="480" />
        <source>Send to</source>
        <translation>发送到</translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/canvas.py" line="522" />
        <source>%n new image(s) in the library</source>
        <translation>
            <numerusform>图库中新增 %n 张图像</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="545" />
        <location filename="../../studio/ui/canvas.py" line="641" />
        <source>seed {seed}</source>
        <translation>种子 {seed}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="612" />
        <source>{path} cannot be read as an image</source>
        <translation>无法将 {path} 读取为图像</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="699" />
        <source>The painted mask could not be saved in {folder}: {error}</source>
        <translation>无法将绘制的蒙版保存到 {folder}：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="717" />
        <source>Image copied</source>
        <translation>图像已复制</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="726" />
        <source>Save as</source>
        <translation>另存为</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="727" />
        <source>Image (*{suffix})</source>
        <translation>图像 (*{suffix})</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="744" />
        <source>Could not save {path}: {error}</source>
        <translation>无法保存 {path}：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/canvas.py" line="747" />
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
</context>
<context>
    <name>CanvasView</name>
    <message>
        <location filename="../../studio/ui/canvas.py" line="314" />
        <source>Your images appear here</source>
        <translation>生成的图像将显示在这里</translation>
    </message>
</context>
<context>
    <name>DownloadRow</name>
    <message>
        <location filename="../../studio/ui/download_row.py" line="31" />
        <location filename="../../studio/ui/download_row.py" line="51" />
        <location filename="../../studio/ui/download_row.py" line="86" />
        <source>Download</source>
        <extracomment>emitted with the model ref once its download finished model ref -&gt; what its last failed download said (a gated repo, no space, offline), so the panel can give the real reason before queueing</extracomment>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="32" />
        <source>Download the model</source>
        <translation>下载模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="49" />
        <source>The last download of {ref} failed: {error}</source>
        <translation>{ref} 上次下载失败：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="50" />
        <source>{ref} is not downloaded yet.</source>
        <translation>{ref} 尚未下载。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="52" />
        <location filename="../../studio/ui/download_row.py" line="87" />
        <source>Download {ref}</source>
        <translation>下载 {ref}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="65" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="66" />
        <source>Cancel the download of {ref}</source>
        <translation>取消下载 {ref}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="67" />
        <source>Downloading {ref}…</source>
        <translation>正在下载 {ref}…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="91" />
        <source>The download of {ref} failed: {error}</source>
        <translation>{ref} 下载失败：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/download_row.py" line="94" />
        <source>The download of {ref} stopped; Download resumes it.</source>
        <translation>{ref} 的下载已停止；点击“下载”可继续。</translation>
    </message>
</context>
<context>
    <name>DropHandler</name>
    <message>
        <location filename="../../studio/ui/drop.py" line="43" />
        <source>Importing %v/%m</source>
        <translation>正在导入 %v/%m</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="44" />
        <source>Import progress</source>
        <translation>导入进度</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="45" />
        <source>Cancel import</source>
        <translation>取消导入</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="78" />
        <source>Reading {name}…</source>
        <translation>正在读取 {name}…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="105" />
        <source>Settings restored from an {tool} image</source>
        <translation>已从 {tool} 图像恢复设置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="106" />
        <source>Settings restored from a {tool} image</source>
        <translation>已从 {tool} 图像恢复设置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="111" />
        <source>No settings restored: {problem}</source>
        <translation>未恢复任何设置：{problem}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="122" />
        <source>An import is already running: wait for it or cancel it</source>
        <translation>已有导入正在进行：请等待完成或取消</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="129" />
        <source>Importing {folder}…</source>
        <translation>正在导入 {folder}…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/drop.py" line="160" />
        <source>Import cancelled: %n new image(s) of {seen}, {duplicates} already in the library</source>
        <translation>
            <numerusform>导入已取消：{seen} 张中新增 %n 张，{duplicates} 张已在图库中</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/drop.py" line="163" />
        <source>Imported: %n new image(s) of {seen}, {duplicates} already in the library</source>
        <translation>
            <numerusform>已导入：{seen} 张中新增 %n 张，{duplicates} 张已在图库中</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/drop.py" line="167" />
        <source>, %n skipped</source>
        <translation>
            <numerusform>，跳过 %n 个</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="169" />
        <source> ({count} without generation metadata)</source>
        <translation>（其中 {count} 个没有生成元数据）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/drop.py" line="179" />
        <source>Import failed: {message}</source>
        <translation>导入失败：{message}</translation>
    </message>
</context>
<context>
    <name>FrameView</name>
    <message>
        <location filename="../../studio/ui/video_view.py" line="160" />
        <source>Videos you make or open from the library appear here</source>
        <translation>生成的视频或从图库打开的视频将显示在这里</translation>
    </message>
</context>
<context>
    <name>GeneratePanel</name>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="66" />
        <location filename="../../studio/ui/generate_panel.py" line="379" />
        <source>A hub repo id, a local folder or a .safetensors/.gguf file</source>
        <extracomment>emitted with a GenerationRequest when the user presses Generate the last settings per modality, persisted (None: remembered for this session)</extracomment>
        <translation>Hub 仓库 ID、本地文件夹或 .safetensors/.gguf 文件</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="73" />
        <source>Describe what to make…</source>
        <translation>描述你想生成的内容…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="78" />
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="88" />
        <source>Generate</source>
        <extracomment>given the image input (or None), the "image" and "mask" inputs of a mask painted on the canvas, or {} (set by the window)</extracomment>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="96" />
        <source>Make</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="97" />
        <source>Generator</source>
        <translation>生成器</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="98" />
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="98" />
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="101" />
        <location filename="../../studio/ui/generate_panel.py" line="119" />
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="102" />
        <location filename="../../studio/ui/generate_panel.py" line="124" />
        <source>Seed</source>
        <translation>种子</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="103" />
        <source>Random seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="104" />
        <source>Queue the generation</source>
        <translation>将生成任务加入队列</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="145" />
        <source>No generator is available: see Plugins for packs that failed to load.</source>
        <translation>没有可用的生成器：请在“插件”中查看加载失败的扩展包。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="190" />
        <source>{role} file or artifact:&lt;id&gt;</source>
        <translation>{role}文件或 artifact:&lt;id&gt;</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="195" />
        <source>Choose a file for {role}</source>
        <translation>为{role}选择文件</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="218" />
        <source>Choose a file</source>
        <translation>选择文件</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="453" />
        <source>Image</source>
        <extracomment>The inputs tasks commonly take, named in the user's language; others show as declared.</extracomment>
        <translation>图像</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="454" />
        <source>Mask</source>
        <translation>蒙版</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="455" />
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="456" />
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <location filename="../../studio/ui/generate_panel.py" line="457" />
        <source>Last frame</source>
        <translation>末帧</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../studio/ui/main_window.py" line="41" />
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
</context>
<context>
    <name>MaskPainter</name>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="85" />
        <source>Brush</source>
        <extracomment>The overlay's tint over the parts that will be repainted. emitted with the QRect of the mask that changed (a stroke segment, undo, clear...); a null QRect when the whole mask is new emitted when the brush size or the feather changes what the mask belongs to (the canvas puts the artifact here)</extracomment>
        <translation>画笔</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="86" />
        <source>Paint the parts to repaint (B)</source>
        <translation>涂出需要重绘的区域 (B)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="88" />
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="89" />
        <source>Erase from the mask (E)</source>
        <translation>从蒙版中擦除 (E)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="94" />
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="95" />
        <source>Clear the mask</source>
        <translation>清除蒙版</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="97" />
        <source>Invert</source>
        <translation>反转</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="98" />
        <source>Repaint everything but the painted parts</source>
        <translation>重绘未涂抹的全部区域</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="100" />
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="101" />
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="180" />
        <source>Erase</source>
        <translation>擦除</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="180" />
        <source>Brush stroke</source>
        <translation>画笔描边</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="209" />
        <source>Clear mask</source>
        <translation>清除蒙版</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="212" />
        <source>Invert mask</source>
        <translation>反转蒙版</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="315" />
        <source>Mask</source>
        <translation>蒙版</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="316" />
        <source> Mask: </source>
        <translation> 蒙版：</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="321" />
        <location filename="../../studio/ui/mask_painter.py" line="328" />
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="322" />
        <source>Brush size in image pixels</source>
        <translation>画笔大小（图像像素）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="323" />
        <source>Brush size</source>
        <translation>画笔大小</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="329" />
        <source>Feather: how far the mask's edge is blurred in the mask sent</source>
        <translation>羽化：发送的蒙版边缘的模糊范围</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="331" />
        <source>Feather</source>
        <translation>羽化</translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="342" />
        <source> Size </source>
        <translation> 大小 </translation>
    </message>
    <message>
        <location filename="../../studio/ui/mask_painter.py" line="344" />
        <source> Feather </source>
        <translation> 羽化 </translation>
    </message>
</context>
<context>
    <name>MusicView</name>
    <message>
        <location filename="../../studio/ui/music_view.py" line="77" />
        <location filename="../../studio/ui/music_view.py" line="288" />
        <source>{name} cannot be played ({error})</source>
        <extracomment>Pixels of the drawn waveform: wide enough to stay sharp on a 2x screen. How often the position label and the playhead follow the player (milliseconds).</extracomment>
        <translation>无法播放 {name}（{error}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="80" />
        <source>{name} holds no sound</source>
        <translation>{name} 中没有声音</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="214" />
        <source>No music yet</source>
        <translation>还没有音乐</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="224" />
        <source>Position</source>
        <translation>播放位置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="228" />
        <location filename="../../studio/ui/music_view.py" line="387" />
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="231" />
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="233" />
        <source>Loop</source>
        <translation>循环</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="238" />
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="240" />
        <source>Save a copy as FLAC or WAV; its tags and settings stay</source>
        <translation>另存为 FLAC 或 WAV 副本，保留标签和设置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="277" />
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="387" />
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="407" />
        <source>step {step}/{total}</source>
        <translation>第 {step}/{total} 步</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="408" />
        <source>starting</source>
        <translation>正在开始</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="410" />
        <source>Making music: {steps}{so_far}</source>
        <translation>正在生成音乐：{steps}{so_far}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="419" />
        <source>The music job failed</source>
        <translation>音乐任务失败</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="420" />
        <source>The music job cancelled</source>
        <translation>音乐任务已取消</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="421" />
        <source>The music job interrupted</source>
        <translation>音乐任务被中断</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="451" />
        <source>, {time} so far</source>
        <translation>，已生成 {time}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="478" />
        <source>The preview cannot be drawn ({error})</source>
        <translation>无法绘制预览（{error}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="491" />
        <source>Preview of the running job</source>
        <translation>正在运行任务的预览</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="504" />
        <source>FLAC audio (*.flac)</source>
        <translation>FLAC 音频 (*.flac)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="504" />
        <source>WAV audio (*.wav)</source>
        <translation>WAV 音频 (*.wav)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="507" />
        <source>Save music as</source>
        <translation>音乐另存为</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="521" />
        <source>Saving {name}…</source>
        <translation>正在保存 {name}…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="526" />
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="530" />
        <source>{name} cannot be saved ({error})</source>
        <translation>无法保存 {name}（{error}）</translation>
    </message>
</context>
<context>
    <name>ParamsForm</name>
    <message>
        <location filename="../../studio/ui/params_form.py" line="64" />
        <source>Advanced</source>
        <extracomment>A field in error carries ``invalid="true"``; one rule on the form styles every such field, so a theme can restyle it in one place. emitted whenever the user (or code) changes a value</extracomment>
        <translation>高级</translation>
    </message>
    <message>
        <location filename="../../studio/ui/params_form.py" line="100" />
        <source>Let the model decide {label}</source>
        <translation>由模型决定{label}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/params_form.py" line="252" />
        <source>Auto</source>
        <translation>自动</translation>
    </message>
</context>
<context>
    <name>ProfileView</name>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="38" />
        <location filename="../../studio/ui/profile_view.py" line="77" />
        <source>What Studio has learned about you</source>
        <translation>Studio 对你的了解</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="42" />
        <location filename="../../studio/ui/profile_view.py" line="117" />
        <source>Update taste clusters</source>
        <translation>更新偏好聚类</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="43" />
        <source>Computes sentence embeddings of your prompts and texts in a separate process, on this machine only</source>
        <translation>在独立进程中计算你的提示词和文本的句向量，仅在本机进行</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="46" />
        <source>Forget everything…</source>
        <translation>清除全部记录…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="58" />
        <source>Reading your history…</source>
        <translation>正在读取你的历史记录…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="70" />
        <source>The history cannot be read: {error}</source>
        <translation>无法读取历史记录：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="78" />
        <source>Everything stays on this computer.</source>
        <translation>所有数据都只保存在这台电脑上。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="83" />
        <source>Incognito: nothing is recorded in this session</source>
        <translation>无痕模式：本次会话不记录任何内容</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="85" />
        <source>Recording your actions</source>
        <translation>正在记录你的操作</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="86" />
        <source>Recording is paused</source>
        <translation>记录已暂停</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="87" />
        <source>Pause recording</source>
        <translation>暂停记录</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="88" />
        <source>Resume recording</source>
        <translation>继续记录</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="109" />
        <source>Updating…</source>
        <translation>正在更新…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="119" />
        <source>Updating taste clusters failed:
{output}</source>
        <translation>更新偏好聚类失败：
{output}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="129" />
        <source>Forget everything</source>
        <translation>清除全部记录</translation>
    </message>
    <message>
        <location filename="../../studio/ui/profile_view.py" line="130" />
        <source>Erase your whole history, the profile, embeddings and suggestion data? Your images and texts in the library are kept.</source>
        <translation>要清除你的全部历史记录、画像、向量和建议数据吗？图库中的图像和文本会保留。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/profile_view.py" line="138" />
        <source>Forgotten (%n file(s) erased).</source>
        <translation>
            <numerusform>已清除（删除了 %n 个文件）。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>VideoView</name>
    <message>
        <location filename="../../studio/ui/video_view.py" line="76" />
        <source>{name} cannot be read ({error})</source>
        <extracomment>Used when a file does not say its frame rate. Decoded frames kept in memory at most (a minute of 1080p is 9 GB).</extracomment>
        <translation>无法读取 {name}（{error}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="79" />
        <source>{name} cannot be played ({error})</source>
        <translation>无法播放 {name}（{error}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="99" />
        <source>the file holds no video stream</source>
        <translation>文件中没有视频流</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="110" />
        <source>the clip has no frames</source>
        <translation>该片段没有帧</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="115" />
        <source>it is too long to play here (over {frames} frames of {width}x{height}); Save as still works</source>
        <translation>片段太长，无法在此播放（超过 {frames} 帧 {width}x{height}）；仍可另存为</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="206" />
        <source>No video yet</source>
        <translation>还没有视频</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="214" />
        <source>Frame</source>
        <translation>帧</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="218" />
        <source>◂ Frame</source>
        <translation>◂ 上一帧</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="219" />
        <source>One frame back (Left)</source>
        <translation>后退一帧（左方向键）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="220" />
        <source>One frame back</source>
        <translation>后退一帧</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="222" />
        <location filename="../../studio/ui/video_view.py" line="379" />
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="224" />
        <source>Frame ▸</source>
        <translation>下一帧 ▸</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="225" />
        <source>One frame forward (Right)</source>
        <translation>前进一帧（右方向键）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="226" />
        <source>One frame forward</source>
        <translation>前进一帧</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="229" />
        <source>Export frame as PNG…</source>
        <translation>将帧导出为 PNG…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="230" />
        <source>The PNG carries the clip's prompt and settings</source>
        <translation>PNG 中包含该片段的提示词和设置</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="233" />
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="274" />
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="313" />
        <source>Frame {index} of {count}  ·  {time} / {length}</source>
        <translation>第 {index}/{count} 帧  ·  {time} / {length}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="379" />
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="399" />
        <source>Preview of the running job</source>
        <translation>正在运行任务的预览</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="402" />
        <source>step {step}/{total}</source>
        <translation>第 {step}/{total} 步</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="403" />
        <source>starting</source>
        <translation>正在开始</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="404" />
        <source>Making video: {steps}</source>
        <translation>正在生成视频：{steps}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="412" />
        <source>The video job failed</source>
        <translation>视频任务失败</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="413" />
        <source>The video job cancelled</source>
        <translation>视频任务已取消</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="414" />
        <source>The video job interrupted</source>
        <translation>视频任务被中断</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="424" />
        <source>Export frame as PNG</source>
        <translation>将帧导出为 PNG</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="425" />
        <source>PNG image (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="436" />
        <source>Exporting frame {index}…</source>
        <translation>正在导出第 {index} 帧…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="443" />
        <source>Saved frame {index} to {path}</source>
        <translation>已将第 {index} 帧保存到 {path}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="448" />
        <source>The frame cannot be exported ({error})</source>
        <translation>无法导出该帧（{error}）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="458" />
        <source>Save video as</source>
        <translation>视频另存为</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="459" />
        <source>{format} video (*{suffix})</source>
        <translation>{format} 视频 (*{suffix})</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="470" />
        <source>Saving {name}…</source>
        <translation>正在保存 {name}…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="474" />
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/video_view.py" line="478" />
        <source>{name} cannot be saved ({error})</source>
        <translation>无法保存 {name}（{error}）</translation>
    </message>
</context>
<context>
    <name>WaveformView</name>
    <message>
        <location filename="../../studio/ui/music_view.py" line="138" />
        <source>Music you make or open from the library appears here</source>
        <extracomment>where the user clicked or dragged to, 0 (start) to 1 (end)</extracomment>
        <translation>生成的音乐或从图库打开的音乐将显示在这里</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="142" />
        <source>Waveform</source>
        <translation>波形</translation>
    </message>
    <message>
        <location filename="../../studio/ui/music_view.py" line="143" />
        <source>Click or drag to move the playhead</source>
        <translation>点击或拖动以移动播放头</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <location filename="../../studio/ui/welcome.py" line="39" />
        <source>Images</source>
        <translation>图像</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="40" />
        <source>Writing</source>
        <translation>写作</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="41" />
        <source>Music</source>
        <translation>音乐</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="42" />
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="74" />
        <source>Welcome to Studio</source>
        <extracomment>emitted with a modality when the user asks to try a model that works now emitted with a model ref once its download finished modality -&gt; its "works now" button, for models already here</extracomment>
        <translation>欢迎使用 Studio</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="75" />
        <source>No model is downloaded yet. Looking at this computer's graphics memory…</source>
        <translation>尚未下载任何模型。正在检测这台电脑的显存…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="80" />
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="81" />
        <source>Close this page; it is not shown again</source>
        <translation>关闭此页面，之后不再显示</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="82" />
        <source>Dismiss the welcome page</source>
        <translation>关闭欢迎页</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="84" />
        <source>Models are saved in the Hugging Face cache, shared with other tools. Any other model works too: type its repo id, folder or file in the Model box.</source>
        <translation>模型保存在 Hugging Face 缓存中，与其他工具共享。其他模型同样可用：在“模型”框中输入其仓库 ID、文件夹或文件。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="133" />
        <source>a GPU with {size}</source>
        <translation>显存 {size} 的 GPU</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="134" />
        <source>no GPU found: models run on the CPU, slowly for images and video</source>
        <translation>未找到 GPU：模型将在 CPU 上运行，生成图像和视频会较慢</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="136" />
        <source>No model is downloaded yet. Here is one model per kind of work that suits this computer ({machine}).</source>
        <translation>尚未下载任何模型。以下是适合这台电脑（{machine}）的各类创作模型，每类一个。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="150" />
        <source>size unknown</source>
        <translation>大小未知</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="165" />
        <source>Works now: try it</source>
        <translation>现在可用：试一试</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="166" />
        <source>This model is already on this computer; nothing to download</source>
        <translation>此模型已在这台电脑上，无需下载</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="168" />
        <source>Try {model} now</source>
        <translation>立即试用 {model}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="177" />
        <source>{size} to download</source>
        <translation>需下载 {size}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/welcome.py" line="184" />
        <source>Downloaded: {ref}</source>
        <translation>已下载：{ref}</translation>
    </message>
</context>
<context>
    <name>WritingView</name>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="51" />
        <source>Markdown (*.md *.markdown);;Text (*.txt);;All files (*)</source>
        <extracomment>How long after the last keystroke the recovery copy is written. Larger files are refused: the desk is for writing, not for logs. Parameters a task takes from the direction line, in order of preference. Parameters the desk fills itself (from the direction line), not from the form.</extracomment>
        <translation>Markdown (*.md *.markdown);;文本 (*.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="78" />
        <source>Write here. Continue writes on from the cursor; select text and Rewrite to transform it; Chat answers the message in the line below.</source>
        <extracomment>emitted with (GenerationRequest, on_submitted callback taking the job) emitted with the id of a running desk job the user stopped</extracomment>
        <translation>在此写作。“续写”从光标处接着写；选中文字后“改写”可加以改造；“对话”回答下方输入框中的消息。</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="81" />
        <source>Document</source>
        <translation>文档</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="82" />
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="83" />
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="84" />
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="105" />
        <source>A hub repo id, a local folder or a .gguf file</source>
        <translation>Hub 仓库 ID、本地文件夹或 .gguf 文件</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="106" />
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="107" />
        <location filename="../../studio/ui/writing_view.py" line="117" />
        <source>Generator</source>
        <translation>生成器</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="108" />
        <location filename="../../studio/ui/writing_view.py" line="119" />
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="124" />
        <source>A direction for Continue, an instruction for Rewrite, or a message for Chat</source>
        <translation>续写的方向、改写的指令或对话的消息</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="125" />
        <source>Direction, instruction or message</source>
        <translation>方向、指令或消息</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="126" />
        <source>Continue</source>
        <translation>续写</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="127" />
        <source>Rewrite selection</source>
        <translation>改写选中内容</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="128" />
        <source>Chat</source>
        <translation>对话</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="129" />
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="213" />
        <source>{generator} cannot {task}</source>
        <translation>{generator} 不支持 {task}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="311" />
        <source>{generator} takes no direction for Continue; clear the line or use Rewrite</source>
        <translation>{generator} 续写时不接受方向；请清空输入框或使用“改写”</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="320" />
        <source>Select the text to rewrite first</source>
        <translation>请先选中要改写的文字</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="337" />
        <source>Type a message in the line below, or select text to ask about</source>
        <translation>请在下方输入消息，或选中要询问的文字</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="363" />
        <source>Writing failed: {error}</source>
        <translation>写作失败：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="389" />
        <source>it is larger than {size} MB</source>
        <translation>文件大于 {size} MB</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="393" />
        <source>it is not UTF-8 text</source>
        <translation>不是 UTF-8 文本</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="395" />
        <source>Cannot open {path}: {reason}</source>
        <translation>无法打开 {path}：{reason}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="414" />
        <source>Cannot save {path}: {error}</source>
        <translation>无法保存 {path}：{error}</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="427" />
        <source>Open a document</source>
        <translation>打开文档</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="434" />
        <source>Save the document</source>
        <translation>保存文档</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="435" />
        <location filename="../../studio/ui/writing_view.py" line="468" />
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="445" />
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="446" />
        <source>The document has unsaved changes. Open another one anyway? (They stay in the recovery copy until the next edit.)</source>
        <translation>文档有未保存的更改。仍要打开另一个文档吗？（在下次编辑前，这些更改会保留在恢复副本中。）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="469" />
        <source>{name} (unsaved changes)</source>
        <translation>{name}（未保存）</translation>
    </message>
    <message>
        <location filename="../../studio/ui/writing_view.py" line="471" />
        <source>Not saved to a file yet</source>
        <translation>尚未保存到文件</translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/writing_view.py" line="481" />
        <source>%n word ({selected} selected)</source>
        <translation>
            <numerusform>%n 词（已选 {selected}）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/writing_view.py" line="482" />
        <source>%n words ({selected} selected)</source>
        <translation>
            <numerusform>%n 词（已选 {selected}）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/writing_view.py" line="485" />
        <source>%n word</source>
        <translation>
            <numerusform>%n 词</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../studio/ui/writing_view.py" line="485" />
        <source>%n words</source>
        <translation>
            <numerusform>%n 词</numerusform>
        </translation>
    </message>
</context>
</TS>